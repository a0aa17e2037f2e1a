// The catalog snapshot: public order and lookup.
#include "domain/catalog.hpp"

#include <gtest/gtest.h>

namespace warung::domain {
namespace {

Service svc(std::int64_t id, Kind kind, std::string code, std::string category, std::string name,
            bool enabled = true) {
  Service s;
  s.id = id;
  s.kind = kind;
  s.code = std::move(code);
  s.category = std::move(category);
  s.name = std::move(name);
  s.enabled = enabled;
  return s;
}

std::vector<std::string> codes(const Catalog& c) {
  std::vector<std::string> out;
  for (const auto& s : c.services()) out.push_back(s.code);
  return out;
}

TEST(Catalog, SortsByKindThenCategoryThenName) {
  Catalog c({svc(1, Kind::kGame, "G-B", "Kuota Axis", "B"),
             svc(2, Kind::kSocialMedia, "S-TT", "TIKTOK SAVE", "TIKTOK SAVE"),
             svc(3, Kind::kGame, "G-A", "Kuota Axis", "A"),
             svc(4, Kind::kSocialMedia, "S-IG2", "Instagram Like Indonesia", "Z likes"),
             svc(5, Kind::kSocialMedia, "S-IG1", "Instagram Like Indonesia", "A likes"),
             svc(6, Kind::kGame, "G-ML", "Mobile Legends", "A"), svc(7, Kind::kGame, "G-AA", "Axis", "Z")},
            3);
  EXPECT_EQ(codes(c), (std::vector<std::string>{"S-IG1", "S-IG2", "S-TT", "G-AA", "G-A", "G-B", "G-ML"}));
  EXPECT_EQ(c.version(), 3);
}

TEST(Catalog, TiesAreBrokenByCodeSoOrderIsStable) {
  Catalog a({svc(1, Kind::kGame, "b", "C", "N"), svc(2, Kind::kGame, "a", "C", "N")}, 1);
  Catalog b({svc(2, Kind::kGame, "a", "C", "N"), svc(1, Kind::kGame, "b", "C", "N")}, 1);
  EXPECT_EQ(codes(a), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(codes(a), codes(b));
}

TEST(Catalog, FindByKindAndCode) {
  Catalog c({svc(1, Kind::kSocialMedia, "5", "Instagram", "Likes"), svc(2, Kind::kGame, "5", "Axis", "Kuota"),
             svc(3, Kind::kGame, "OW6", "Axis", "OWSEM"), svc(4, Kind::kGame, "OFF", "Axis", "Off", false)},
            1);
  const Service* s = c.find(Kind::kSocialMedia, "5");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->id, 1);
  s = c.find(Kind::kGame, "5");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->id, 2);
  s = c.find(Kind::kGame, "OW6");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->id, 3);
  EXPECT_EQ(c.find(Kind::kSocialMedia, "OW6"), nullptr);
  EXPECT_EQ(c.find(Kind::kGame, "ow6"), nullptr);
  EXPECT_EQ(c.find(Kind::kGame, "OW"), nullptr);
  EXPECT_EQ(c.find(Kind::kGame, ""), nullptr);
  // Disabled services are found (the caller decides); the contract says "enabled or not".
  s = c.find(Kind::kGame, "OFF");
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(s->enabled);
}

TEST(Catalog, FindPointsIntoTheSortedSnapshot) {
  Catalog c({svc(1, Kind::kGame, "Z", "Z", "Z"), svc(2, Kind::kGame, "A", "A", "A")}, 1);
  const Service* z = c.find(Kind::kGame, "Z");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z, &c.services()[1]);
  EXPECT_EQ(c.find(Kind::kGame, "A"), &c.services()[0]);
}

TEST(Catalog, CopyKeepsLookupsValid) {
  Catalog original({svc(1, Kind::kGame, "A", "A", "A"), svc(2, Kind::kGame, "B", "B", "B")}, 1);
  Catalog copy = original;
  const Service* b = copy.find(Kind::kGame, "B");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->id, 2);
  EXPECT_EQ(b, &copy.services()[1]);
}

TEST(Catalog, EmptyCatalog) {
  Catalog c;
  EXPECT_TRUE(c.services().empty());
  EXPECT_EQ(c.find(Kind::kGame, "A"), nullptr);
}

}  // namespace
}  // namespace warung::domain
