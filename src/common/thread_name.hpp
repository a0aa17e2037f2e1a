#pragma once
// Names the calling thread (Linux keeps 15 bytes), so that `top -H`, /proc/PID/task/*/comm
// and debuggers tell the order writer from the io threads. Best effort: ignored where
// the platform has no thread names.
#include <string>

#if defined(__linux__)
#include <pthread.h>
#endif

namespace warung {

inline void setThreadName(const std::string& name) {
#if defined(__linux__)
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
#else
  (void)name;
#endif
}

}  // namespace warung
