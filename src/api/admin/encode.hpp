#pragma once
// The admin API's JSON shapes (docs/admin-api.md), one writer a type, each writing one
// value at the writer's position. Key order is part of the answer: clients and tests
// compare it. Pure functions, thread-safe.
#include <string_view>

#include "common/json_writer.hpp"
#include "domain/fulfilment.hpp"
#include "domain/types.hpp"
#include "store/admin_store.hpp"

namespace warung::api::admin {

void writeAccount(JsonWriter& w, const domain::Account& a);
// `user_id`: the order's account (orders carry only the internal account id).
void writeOrder(JsonWriter& w, const domain::Order& o, std::string_view user_id);
void writeLedger(JsonWriter& w, const domain::LedgerEntry& e);
void writeService(JsonWriter& w, const domain::Service& s);
// Never the credentials. With close = false the object is left open for the caller
// to add fields (the balance) and end it.
void writeProvider(JsonWriter& w, const domain::Provider& p, bool close = true);
void writeDelivery(JsonWriter& w, const domain::WebhookDelivery& d);
// The fields of `t` (orders, revenue, refunds, cost, profit) into the open object.
void writeTotals(JsonWriter& w, const store::OrderTotals& t);

}  // namespace warung::api::admin
