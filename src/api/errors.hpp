#pragma once
// The one place where error codes become HTTP statuses and answers.
#include <string>

#include "common/error.hpp"
#include "http/server.hpp"

namespace warung::api {

// HTTP status (and envelope `code`) for an error code.
unsigned httpStatus(Errc code);

// {"code":N,"data":null,"status":false,"message":"..."}. kInternal never shows its
// detail. When `always_200` the HTTP status is 200 and only `code` tells (some PHP
// clients treat any non-200 as a transport failure; API-NOTES "Transport").
http::Response errorResponse(const Error& e, bool always_200);

// {"code":200,"data":<data_json>,"status":true,"message":"<message>"}
http::Response successResponse(std::string_view data_json, std::string_view message);
void appendSuccessEnvelope(std::string& out, std::string_view data_json, std::string_view message);
// The same envelope around data written in place between the two: the head
// ({"code":200,"data":) and the tail (,"status":true,"message":"<message>"}).
void appendSuccessHead(std::string& out);
void appendSuccessTail(std::string& out, std::string_view message);

}  // namespace warung::api
