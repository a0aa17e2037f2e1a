// GET audit: the audit log, newest first, filtered by admin, action and target.
#include "api/admin/context.hpp"

namespace warung::api::admin {

Result<std::string> AdminApi::auditLog(Ctx& c) {
  auto& astore = deps_.admin;
  std::string out;
  JsonWriter w(out);

  if (!c.isGet()) return methodNotAllowed();
  store::AuditFilter f;
  f.admin = c.q("admin");
  f.action = c.q("action");
  f.target = c.q("target");
  auto page = c.qInt("page", 1, 1, 1'000'000);
  if (!page) return page.error();
  auto per_page = c.qInt("per_page", 100, 1, 1000);
  if (!per_page) return per_page.error();
  f.limit = static_cast<int>(*per_page + 1);
  f.offset = static_cast<int>((*page - 1) * *per_page);
  auto entries = astore.listAudit(f);
  if (!entries) return entries.error();
  const bool more = static_cast<std::int64_t>(entries->size()) > *per_page;
  if (more) entries->resize(static_cast<std::size_t>(*per_page));
  w.beginObject().key("entries").beginArray();
  for (const auto& e : *entries) {
    w.beginObject()
        .field("id", e.id)
        .field("at", e.at)
        .field("admin", e.admin)
        .field("action", e.action)
        .field("target", e.target)
        .key("detail")
        .raw(e.detail.empty() ? std::string_view("{}") : std::string_view(e.detail))
        .endObject();
  }
  w.endArray().field("page", *page).field("per_page", *per_page).field("has_more", more).endObject();
  return out;
}

}  // namespace warung::api::admin
