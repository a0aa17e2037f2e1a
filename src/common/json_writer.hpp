#pragma once
// A minimal streaming JSON writer that appends to a std::string.
//
// Why not boost::json::serialize: answers are built on the hot path for every request,
// and the documents' key order is fixed; writing straight into one reused buffer avoids
// building a DOM per answer (bench/micro measures both). Parsing stays with Boost.JSON.
//
// Not thread-safe; one writer per answer. Callers keep the begin/end calls balanced.
#include <cstdint>
#include <string>
#include <string_view>

namespace warung {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& beginObject() {
    sep();
    out_ += '{';
    first_ = true;
    return *this;
  }
  JsonWriter& endObject() {
    out_ += '}';
    first_ = false;
    return *this;
  }
  JsonWriter& beginArray() {
    sep();
    out_ += '[';
    first_ = true;
    return *this;
  }
  JsonWriter& endArray() {
    out_ += ']';
    first_ = false;
    return *this;
  }

  // Writes `"name":`; the next value call writes the value.
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view s);
  JsonWriter& integer(std::int64_t v);
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  // Appends already-serialized JSON as one value (used for cached documents).
  JsonWriter& raw(std::string_view json);

  // Shorthands for `key(k).value(v)`.
  JsonWriter& field(std::string_view k, std::string_view v) { return key(k).string(v); }
  JsonWriter& field(std::string_view k, const char* v) { return key(k).string(v); }
  JsonWriter& field(std::string_view k, std::int64_t v) { return key(k).integer(v); }
  JsonWriter& field(std::string_view k, int v) { return key(k).integer(v); }
  JsonWriter& field(std::string_view k, bool v) { return key(k).boolean(v); }

 private:
  void sep() {
    if (afterKey_) {
      afterKey_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }

  std::string& out_;
  bool first_ = true;
  bool afterKey_ = false;
};

// Appends `s` JSON-escaped (without quotes). `/` is escaped as `\/` like the PHP
// documents the clients were written against.
// Invalid UTF-8 is written as \ufffd, so the output is always valid JSON.
void appendJsonEscaped(std::string& out, std::string_view s);

// Appends `s` as a JSON string (quoted and escaped), and `v` as a JSON number: for
// encoders that write a fixed layout with literal fragments between the values.
void appendJsonString(std::string& out, std::string_view s);
void appendJsonInteger(std::string& out, std::int64_t v);

// True when `s` is well-formed UTF-8.
bool isValidUtf8(std::string_view s);

}  // namespace warung
