// The streaming JSON writer (common/json_writer.hpp), byte for byte.
#include "common/json_writer.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <vector>

namespace warung {
namespace {

std::string escaped(std::string_view s) {
  std::string out;
  appendJsonEscaped(out, s);
  return out;
}

TEST(JsonEscape, QuotesAndBackslash) {
  EXPECT_EQ(escaped(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(escaped(R"(C:\dir)"), R"(C:\\dir)");
  EXPECT_EQ(escaped(R"(\")"), R"(\\\")");
}

TEST(JsonEscape, SlashIsEscapedLikeThePhpDocuments) {
  EXPECT_EQ(escaped("LINK POSTINGAN</p>"), R"(LINK POSTINGAN<\/p>)");
  EXPECT_EQ(escaped("https://x/y"), R"(https:\/\/x\/y)");
}

TEST(JsonEscape, ControlCharacters) {
  EXPECT_EQ(escaped("a\nb\rc\td"), R"(a\nb\rc\td)");
  EXPECT_EQ(escaped("\b\f"), R"(\b\f)");
  EXPECT_EQ(escaped(std::string_view("\x01", 1)), R"(\u0001)");
  EXPECT_EQ(escaped(std::string_view("\x1f", 1)), R"(\u001f)");
  EXPECT_EQ(escaped(std::string_view("a\0b", 3)), R"(a\u0000b)");
}

TEST(JsonEscape, UnicodeAndPlainTextPassThrough) {
  EXPECT_EQ(escaped("Rp 10.000 — café 日本 😀"), "Rp 10.000 — café 日本 😀");
  EXPECT_EQ(escaped("plain"), "plain");
  EXPECT_EQ(escaped(""), "");
  EXPECT_EQ(escaped(" ~\x7f"), " ~\x7f");
}

TEST(JsonEscape, AppendsWithoutTouchingWhatIsThere) {
  std::string out = "prefix:";
  appendJsonEscaped(out, "a\"b");
  EXPECT_EQ(out, R"(prefix:a\"b)");
}

// The escaping rules applied one byte at a time, the plainest way: what the 16-bytes-
// at-a-time scan must produce for every input.
std::string referenceEscaped(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // The length the lead byte announces; the sequence passes when it is all there
      // and well formed.
      const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      const std::size_t n = i + len <= s.size() && isValidUtf8(s.substr(i, len)) ? len : 0;
      if (n == 0) {
        out += "\\ufffd";
      } else {
        out += s.substr(i, n);
        i += n - 1;
      }
    } else if (c == '"' || c == '\\' || c == '/') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static const std::map<unsigned char, const char*> kShort = {
          {'\n', "\\n"}, {'\r', "\\r"}, {'\t', "\\t"}, {'\b', "\\b"}, {'\f', "\\f"}};
      const auto it = kShort.find(c);
      if (it != kShort.end()) {
        out += it->second;
      } else {
        char u[8];
        std::snprintf(u, sizeof u, "\\u%04x", c);
        out += u;
      }
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Strings of up to 80 bytes (several 16-byte blocks) from an alphabet of plain text,
// every byte that needs escaping, multi-byte characters (which can straddle a block
// boundary) and bytes that are not UTF-8.
TEST(JsonEscape, EveryPositionMatchesTheByteByByteRules) {
  const std::vector<std::string> pieces = {"a",        "Z",    "0",
                                           " ",        "~",    "\x7f",
                                           "\"",       "\\",   "/",
                                           "\n",       "\x01", std::string(1, '\0'),
                                           "\x1f",     "é",    "日",
                                           "😀",        "\xff", "\xc3",
                                           "\xe6\x97", "\x80", "https://instagram.com/p/"};
  std::mt19937 rng(20261121);
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    const std::size_t want = rng() % 81;
    while (s.size() < want) s += pieces[rng() % pieces.size()];
    ASSERT_EQ(escaped(s), referenceEscaped(s)) << "input of " << s.size() << " bytes, round " << round;
  }
  // One special byte at each offset of a long plain string.
  for (std::size_t at = 0; at < 48; ++at) {
    for (const char special : {'"', '\\', '/', '\n', '\x02'}) {
      std::string s(48, 'x');
      s[at] = special;
      ASSERT_EQ(escaped(s), referenceEscaped(s)) << "special at " << at;
    }
  }
}

TEST(JsonWriter, EmptyContainers) {
  std::string out;
  JsonWriter(out).beginObject().endObject();
  EXPECT_EQ(out, "{}");
  out.clear();
  JsonWriter(out).beginArray().endArray();
  EXPECT_EQ(out, "[]");
  out.clear();
  JsonWriter w(out);
  w.beginObject()
      .key("a")
      .beginArray()
      .endArray()
      .key("b")
      .beginObject()
      .endObject()
      .field("c", 1)
      .endObject();
  EXPECT_EQ(out, R"({"a":[],"b":{},"c":1})");
}

TEST(JsonWriter, FlatObjectWithAllValueTypes) {
  std::string out;
  JsonWriter w(out);
  w.beginObject()
      .field("s", "text")
      .field("i", std::int64_t{42})
      .field("n", -7)
      .field("t", true)
      .field("f", false)
      .key("z")
      .null()
      .endObject();
  EXPECT_EQ(out, R"({"s":"text","i":42,"n":-7,"t":true,"f":false,"z":null})");
}

TEST(JsonWriter, NestedObjectsAndArraysPutCommasRight) {
  std::string out;
  JsonWriter w(out);
  w.beginObject();
  w.key("data").beginArray();
  w.beginObject().field("a", 1).key("b").beginObject().field("c", 2).endObject().field("d", 3).endObject();
  w.beginObject().field("a", 4).endObject();
  w.beginArray().integer(1).integer(2).endArray();
  w.string("x").null();
  w.endArray();
  w.field("status", true);
  w.key("nested").beginArray().beginArray().beginArray().endArray().endArray().endArray();
  w.endObject();
  EXPECT_EQ(out,
            R"({"data":[{"a":1,"b":{"c":2},"d":3},{"a":4},[1,2],"x",null],"status":true,"nested":[[[]]]})");
}

TEST(JsonWriter, TopLevelArrayOfValues) {
  std::string out;
  JsonWriter w(out);
  w.beginArray().string("a").integer(1).boolean(false).null().endArray();
  EXPECT_EQ(out, R"(["a",1,false,null])");
}

TEST(JsonWriter, KeysAreEscaped) {
  std::string out;
  JsonWriter(out).beginObject().field("a\"b/c", "v").endObject();
  EXPECT_EQ(out, R"({"a\"b\/c":"v"})");
}

TEST(JsonWriter, LongKeysAndKeysAfterValuesPutCommasRight) {
  const std::string long_key(100, 'k');
  std::string out;
  JsonWriter w(out);
  w.beginObject().field("a", 1).field(long_key, "v").key("b").beginArray().endArray();
  w.key(long_key + "/").integer(2).endObject();
  EXPECT_EQ(out, R"({"a":1,")" + long_key + R"(":"v","b":[],")" + long_key + R"(\/":2})");
}

TEST(JsonWriter, StringValuesAreEscaped) {
  std::string out;
  JsonWriter(out).beginObject().field("note", "line1\nline2 \"q\" </p>").endObject();
  EXPECT_EQ(out, R"({"note":"line1\nline2 \"q\" <\/p>"})");
}

TEST(JsonWriter, IntegersIncludingExtremes) {
  std::string out;
  JsonWriter w(out);
  w.beginArray()
      .integer(0)
      .integer(-1)
      .integer(1725168682)
      .integer(std::numeric_limits<std::int64_t>::max())
      .integer(std::numeric_limits<std::int64_t>::min())
      .endArray();
  EXPECT_EQ(out, "[0,-1,1725168682,9223372036854775807,-9223372036854775808]");
}

TEST(JsonWriter, RawIsInsertedAsOneValue) {
  std::string out;
  JsonWriter w(out);
  w.beginObject().field("code", 200).key("data").raw(R"([{"a":1}])").field("status", true).endObject();
  EXPECT_EQ(out, R"({"code":200,"data":[{"a":1}],"status":true})");
  out.clear();
  JsonWriter a(out);
  a.beginArray().raw("1").raw("{}").endArray();
  EXPECT_EQ(out, "[1,{}]");
}

TEST(JsonWriter, AppendsToExistingBuffer) {
  std::string out = "[";
  JsonWriter w(out);
  w.beginObject().field("a", 1).endObject();
  out += ']';
  EXPECT_EQ(out, R"([{"a":1}])");
}

}  // namespace
}  // namespace warung
