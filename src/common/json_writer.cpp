#include "common/json_writer.hpp"

#include <array>
#include <charconv>

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

void appendJsonEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Bytes that need a look: controls, '"', '\\', '/', and non-ASCII (UTF-8 check).
  // Runs of plain bytes are skipped with one table lookup each and copied at once.
  static constexpr auto kSpecial = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '/';
    return t;
  }();
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!kSpecial[c]) continue;
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
        if (c >= 0x20 && c < 0x80) continue;
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
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
    start = i + 1;
  }
  out.append(s.data() + start, s.size() - start);
}

JsonWriter& JsonWriter::key(std::string_view name) {
  sep();
  out_ += '"';
  appendJsonEscaped(out_, name);
  out_ += "\":";
  afterKey_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view s) {
  sep();
  out_ += '"';
  appendJsonEscaped(out_, s);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::integer(std::int64_t v) {
  sep();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, end);
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
