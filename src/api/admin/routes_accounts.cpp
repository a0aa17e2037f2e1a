// accounts: list and create; accounts/{user_id}: the account, its price overrides and
// ledger; POST accounts/{user_id}/{suspend,activate,level,price,rotate-key,callback,
// credit,debit}.
#include <optional>

#include "api/admin/context.hpp"
#include "api/admin/encode.hpp"
#include "api/admin/operations.hpp"

namespace warung::api::admin {

Result<std::string> AdminApi::accounts(Ctx& c) {
  auto& store = deps_.store;
  auto& dstore = deps_.dispatch;
  const auto& seg = c.seg;
  std::string out;
  JsonWriter w(out);

  if (seg.size() == 1) {
    if (c.isGet()) {
      auto accounts = store.listAccounts();
      if (!accounts) return accounts.error();
      w.beginObject().key("accounts").beginArray();
      for (const auto& a : *accounts) writeAccount(w, a);
      w.endArray().endObject();
      return out;
    }
    if (!c.isPost()) return methodNotAllowed();
    auto name = c.string("name");
    if (!name) return name.error();
    auto level_s = c.optString("level");
    if (!level_s) return level_s.error();
    auto level = domain::parseLevel(level_s->value_or("standar"));
    if (!level) return c.bad("level", "level must be standar, premium or spesial");
    auto created = createAccount(store, deps_.ids, *name, *level, c.now);
    if (!created) return created.error();
    audit(c, "account.create", created->account.user_id);
    w.beginObject().key("account");
    writeAccount(w, created->account);
    w.field("api_key", created->api_key).endObject();
    return out;
  }
  auto a = store.findAccountByUserId(seg[1]);
  if (!a) return a.error();
  if (seg.size() == 2) {
    if (!c.isGet()) return methodNotAllowed();
    auto limit = c.qInt("ledger_limit", 50, 1, 10000);
    if (!limit) return limit.error();
    auto ledger = store.ledger(a->id, static_cast<int>(*limit));
    if (!ledger) return ledger.error();
    auto services = store.loadServices();
    if (!services) return services.error();
    w.beginObject().key("account");
    writeAccount(w, *a);
    w.key("price_overrides").beginArray();
    for (const auto& s : *services) {
      auto it = a->price_overrides.find(s.id);
      if (it == a->price_overrides.end()) continue;
      w.beginObject()
          .field("kind", domain::toString(s.kind))
          .field("code", s.code)
          .field("price", it->second.rupiah)
          .endObject();
    }
    w.endArray().key("ledger").beginArray();
    for (const auto& e : *ledger) writeLedger(w, e);
    w.endArray().endObject();
    return out;
  }
  if (seg.size() != 3) return noSuchPath();
  if (!c.isPost()) return methodNotAllowed();
  const std::string& action = seg[2];
  auto answerAccount = [&]() -> Result<std::string> {
    auto fresh = store.findAccountByUserId(a->user_id);
    if (!fresh) return fresh.error();
    w.beginObject().key("account");
    writeAccount(w, *fresh);
    w.endObject();
    return out;
  };
  if (action == "suspend" || action == "activate") {
    const auto status =
        action == "suspend" ? domain::AccountStatus::kSuspended : domain::AccountStatus::kActive;
    if (auto st = store.setAccountStatus(a->id, status); !st) return st.error();
    audit(c, "account." + action, a->user_id);
    return answerAccount();
  }
  if (action == "level") {
    auto level_s = c.string("level");
    if (!level_s) return level_s.error();
    auto level = domain::parseLevel(*level_s);
    if (!level) return c.bad("level", "level must be standar, premium or spesial");
    if (auto st = store.setAccountLevel(a->id, *level); !st) return st.error();
    audit(c, "account.level", a->user_id);
    return answerAccount();
  }
  if (action == "price") {
    auto kind_s = c.string("kind");
    if (!kind_s) return kind_s.error();
    auto kind = c.parseKind(*kind_s, "kind");
    if (!kind) return kind.error();
    auto code = c.string("code");
    if (!code) return code.error();
    auto price = c.optInt("price");  // null or absent: remove the override
    if (!price) return price.error();
    auto s = findService(store, *kind, *code);
    if (!s) {
      return s.error().code == Errc::kNotFound ? c.bad("code", s.error().detail, Errc::kNotFound) : s.error();
    }
    std::optional<Money> p;
    if (*price) p = Money{**price};
    if (auto st = store.setPriceOverride(a->id, s->id, p); !st) return st.error();
    audit(c, "account.price", a->user_id);
    return answerAccount();
  }
  if (action == "rotate-key") {
    auto key = rotateKey(store, deps_.ids, *a);
    if (!key) return key.error();
    audit(c, "account.rotate-key", a->user_id);
    w.beginObject().field("user_id", a->user_id).field("api_key", *key).endObject();
    return out;
  }
  if (action == "callback") {
    auto url = c.optString("url");
    if (!url) return url.error();
    auto secret = setCallback(dstore, *a, url->value_or(""));
    if (!secret) {
      if (secret.error().code == Errc::kInvalidArgument) c.field = "url";
      return secret.error();
    }
    audit(c, "account.callback", a->user_id);
    w.beginObject()
        .field("user_id", a->user_id)
        .field("url", url->value_or(""))
        .field("secret", *secret)
        .endObject();
    return out;
  }
  if (action == "credit" || action == "debit") {
    auto amount = c.integer("amount", 1);
    if (!amount) return amount.error();
    auto note = c.string("note");
    if (!note) return note.error();
    const Money delta{action == "credit" ? *amount : -*amount};
    auto e = store.adjustBalance(a->id, delta, *note, c.now);
    if (!e) {
      if (e.error().code == Errc::kInsufficientBalance) c.field = "amount";
      return e.error();
    }
    audit(c, "account." + action, a->user_id);
    w.beginObject().key("entry");
    writeLedger(w, *e);
    w.field("balance", e->balance_after.rupiah).endObject();
    return out;
  }
  return noSuchPath();
}

}  // namespace warung::api::admin
