#pragma once
// The osimesa dialect: POST /api/social-media and POST /api/game with
// type=service|services|order|status (see docs/api.md). Decodes, calls one
// ResellerService operation, encodes. Thread-safe.
#include "api/osimesa/encode.hpp"
#include "api/osimesa/list_cache.hpp"
#include "api/osimesa/order_cache.hpp"
#include "api/reseller_service.hpp"
#include "http/body.hpp"
#include "http/server.hpp"

namespace warung::api::osimesa {

class StatusAnswer;  // a type=status answer being written (handler.cpp)

struct OsimesaConfig {
  bool always_http_200 = false;             // API-NOTES: every answer HTTP 200, the real code in the body
  std::size_t status_cache_orders = 65536;  // encoded orders kept for type=status
  std::size_t status_cache_lists = 4096;    // whole latest lists kept for type=status
};

class OsimesaApi {
 public:
  OsimesaApi(OsimesaConfig config, ResellerService& service);

  // Registers both endpoints on `server`.
  void mount(http::Server& server);
  void handle(domain::Kind kind, const http::Request& req, http::Respond respond);

  http::Response error(const Error& e) const;

 private:
  // One per type=; handle() has checked the method and authenticated `account`.
  http::Response serviceList(domain::Kind kind, const domain::Account& account, const http::Request& req);
  http::Response status(domain::Kind kind, const domain::Account& account, const http::Params& params);
  http::Response latestList(domain::Kind kind, const domain::Account& account, int limit,
                            http::Response& answer, StatusAnswer& listing,
                            const store::Store::HeldOrder& copyHeld,
                            const std::function<void(const domain::Order&)>& encodeAndKeep);
  // Answers through `respond` once the order writer has answered (on its thread).
  void placeOrder(domain::Kind kind, const domain::Account& account, const http::Params& params,
                  const http::Request& req, http::Respond respond);

  OsimesaConfig config_;
  ResellerService& service_;
  ServiceListCache services_;
  OrderJsonCache orders_;
  ListJsonCache lists_;
};

inline constexpr std::string_view kOrderPlacedMessage =
    "Thank you for purchasing the product, please wait for the transaction to be processed.";
inline constexpr std::string_view kSuccessMessage = "Success.";

}  // namespace warung::api::osimesa
