#include "common/json_writer.hpp"

#include <array>
#include <charconv>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace warung {
namespace {

// Length of the valid UTF-8 sequence starting at s[i] (a byte >= 0x80), or 0 when
// it is not valid (overlong forms, surrogates and code points past U+10FFFF included).
std::size_t utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c == 0xE0) {
    n = 3;
    lo = 0xA0;
  } else if (c == 0xED) {
    n = 3;
    hi = 0x9F;
  } else if (c >= 0xE1 && c <= 0xEF)
    n = 3;
  else if (c == 0xF0) {
    n = 4;
    lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3)
    n = 4;
  else if (c == 0xF4) {
    n = 4;
    hi = 0x8F;
  } else
    return 0;
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

bool isValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

namespace {

// Bytes that need a look: controls, '"', '\\', '/', and non-ASCII (UTF-8 check).
constexpr auto kSpecial = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '/';
  return t;
}();

// The index of the first byte of s[from..] that needs a look, or s.size(). With SSE2
// (every x86-64) sixteen bytes are checked at once: the answers' strings are mostly
// plain text, and the URLs among them have a '/' every few bytes, which this finds
// directly rather than byte by byte.
std::size_t findSpecial(std::string_view s, std::size_t from) {
  std::size_t i = from;
#if defined(__SSE2__)
  const __m128i below = _mm_set1_epi8(0x20);  // signed compare: bytes >= 0x80 are below too
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i slash = _mm_set1_epi8('/');
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, below), _mm_cmpeq_epi8(v, quote)),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(v, slash)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; i < s.size(); ++i) {
    if (kSpecial[static_cast<unsigned char>(s[i])]) return i;
  }
  return s.size();
}

}  // namespace

void appendJsonEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Runs of plain bytes are found by findSpecial and copied at once.
  std::size_t start = 0;
  for (std::size_t i = findSpecial(s, 0); i < s.size(); i = findSpecial(s, i + 1)) {
    const auto c = static_cast<unsigned char>(s[i]);
    const char* rep = nullptr;
    switch (c) {
      case '"':
        rep = "\\\"";
        break;
      case '\\':
        rep = "\\\\";
        break;
      case '/':
        rep = "\\/";
        break;
      case '\n':
        rep = "\\n";
        break;
      case '\r':
        rep = "\\r";
        break;
      case '\t':
        rep = "\\t";
        break;
      case '\b':
        rep = "\\b";
        break;
      case '\f':
        rep = "\\f";
        break;
      default:
        if (c >= 0x80) {
          // Answers must stay valid JSON whatever bytes a client sent: invalid UTF-8
          // becomes U+FFFD, valid sequences pass through untouched.
          const std::size_t n = utf8SequenceLength(s, i);
          if (n > 0) {
            i += n - 1;
            continue;
          }
          rep = "\\ufffd";
        }
    }
    out.append(s.data() + start, i - start);
    if (rep != nullptr) {
      out += rep;
    } else {
      const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(u, sizeof u);
    }
    start = i + 1;
  }
  out.append(s.data() + start, s.size() - start);
}

void appendJsonString(std::string& out, std::string_view s) {
  out += '"';
  appendJsonEscaped(out, s);
  out += '"';
}

void appendJsonInteger(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

JsonWriter& JsonWriter::key(std::string_view name) {
  // Names are short plain literals nearly always: separator, quotes, name and colon
  // in one append.
  char buf[64];
  if (name.size() <= sizeof buf - 4 && findSpecial(name, 0) == name.size()) {
    std::size_t n = 0;
    if (!first_ && !afterKey_) buf[n++] = ',';
    first_ = afterKey_ = false;
    buf[n++] = '"';
    name.copy(buf + n, name.size());
    n += name.size();
    buf[n++] = '"';
    buf[n++] = ':';
    out_.append(buf, n);
  } else {
    sep();
    out_ += '"';
    appendJsonEscaped(out_, name);
    out_ += "\":";
  }
  afterKey_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view s) {
  sep();
  appendJsonString(out_, s);
  return *this;
}

JsonWriter& JsonWriter::integer(std::int64_t v) {
  sep();
  appendJsonInteger(out_, v);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool v) {
  sep();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  sep();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  sep();
  out_ += json;
  return *this;
}

}  // namespace warung
