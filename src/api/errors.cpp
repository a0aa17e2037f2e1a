#include "api/errors.hpp"

#include "common/json_writer.hpp"

namespace warung::api {

unsigned httpStatus(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument:
      return 400;
    case Errc::kUnauthenticated:
      return 401;
    case Errc::kInsufficientBalance:
      return 402;
    case Errc::kForbidden:
      return 403;
    case Errc::kNotFound:
      return 404;
    case Errc::kMethodNotAllowed:
      return 405;
    case Errc::kTimeout:
      return 408;
    case Errc::kConflict:
      return 409;
    case Errc::kPayloadTooLarge:
      return 413;
    case Errc::kUnprocessable:
      return 422;
    case Errc::kRateLimited:
      return 429;
    case Errc::kUnavailable:
      return 503;
    case Errc::kOverloaded:
      return 503;
    case Errc::kInternal:
      return 500;
  }
  return 500;
}

http::Response errorResponse(const Error& e, bool always_200) {
  const unsigned status = httpStatus(e.code);
  http::Response r;
  r.status = always_200 ? 200 : status;
  const std::string_view message =
      e.code == Errc::kInternal ? std::string_view("internal error, please try again later") : e.detail;
  r.body.reserve(64 + message.size());
  JsonWriter w(r.body);
  w.beginObject()
      .field("code", static_cast<std::int64_t>(status))
      .key("data")
      .null()
      .field("status", false)
      .field("message", message)
      .endObject();
  if (e.code == Errc::kOverloaded) r.headers.emplace_back("Retry-After", "1");
  return r;
}

void appendSuccessHead(std::string& out) { out += R"({"code":200,"data":)"; }

void appendSuccessTail(std::string& out, std::string_view message) {
  out += R"(,"status":true,"message":)";
  appendJsonString(out, message);
  out += '}';
}

void appendSuccessEnvelope(std::string& out, std::string_view data_json, std::string_view message) {
  appendSuccessHead(out);
  out += data_json;
  appendSuccessTail(out, message);
}

http::Response successResponse(std::string_view data_json, std::string_view message) {
  http::Response r;
  r.body.reserve(data_json.size() + 64 + message.size());
  appendSuccessEnvelope(r.body, data_json, message);
  return r;
}

}  // namespace warung::api
