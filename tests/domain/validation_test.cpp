// data1..data3 against a service's fields (API-NOTES "Orders").
#include "domain/validation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace warung::domain {
namespace {

using ::testing::HasSubstr;

FieldSpec input(std::string label, std::string type = "text", std::int64_t minlength = 0,
                std::int64_t maxlength = 999999999) {
  FieldSpec f;
  f.type = FieldType::kInput;
  f.input_type = std::move(type);
  f.label = std::move(label);
  f.minlength = minlength;
  f.maxlength = maxlength;
  return f;
}

FieldSpec select(std::string label, std::vector<std::string> options) {
  FieldSpec f;
  f.type = FieldType::kSelect;
  f.select_label = std::move(label);
  f.options = std::move(options);
  return f;
}

Service withFields(FieldSpec f1, FieldSpec f2 = {}, FieldSpec f3 = {}) {
  Service s;
  s.fields = {std::move(f1), std::move(f2), std::move(f3)};
  return s;
}

OrderData data(std::optional<std::string_view> d1, std::optional<std::string_view> d2 = std::nullopt,
               std::optional<std::string_view> d3 = std::nullopt) {
  return OrderData{d1, d2, d3};
}

void expectUnprocessable(const Status& st, const std::string& needle) {
  ASSERT_FALSE(st.ok()) << "expected a failure mentioning " << needle;
  EXPECT_EQ(st.error().code, Errc::kUnprocessable);
  EXPECT_THAT(st.error().detail, HasSubstr(needle));
}

TEST(ValidateFields, ValidInputPasses) {
  const Service s = withFields(input("Link"));
  EXPECT_TRUE(validateFields(s, data("https://instagram.com/p/abc")).ok());
}

TEST(ValidateFields, MissingRequiredInputNamesTheLabel) {
  const Service s = withFields(input("Link"));
  expectUnprocessable(validateFields(s, data(std::nullopt)), "Link");
}

TEST(ValidateFields, EmptyRequiredInputNamesTheLabel) {
  const Service s = withFields(input("Link"), input("Jumlah"));
  expectUnprocessable(validateFields(s, data("x", "")), "Jumlah");
}

TEST(ValidateFields, FirstFailingFieldIsReported) {
  const Service s = withFields(input("Link"), input("Jumlah"));
  const Status st = validateFields(s, data(std::nullopt, std::nullopt));
  expectUnprocessable(st, "Link");
  EXPECT_THAT(st.error().detail, ::testing::Not(HasSubstr("Jumlah")));
}

TEST(ValidateFields, MinLengthInCharacters) {
  const Service s = withFields(input("Nama", "text", 3, 10));
  expectUnprocessable(validateFields(s, data("ab")), "Nama");
  EXPECT_TRUE(validateFields(s, data("abc")).ok());
  // Two 3-byte characters are 6 bytes but only 2 characters: still too short.
  expectUnprocessable(validateFields(s, data("\xE6\x97\xA5\xE6\x9C\xAC")), "Nama");
}

TEST(ValidateFields, MaxLengthInCharacters) {
  const Service s = withFields(input("Nama", "text", 0, 3));
  EXPECT_TRUE(validateFields(s, data("abc")).ok());
  expectUnprocessable(validateFields(s, data("abcd")), "Nama");
  // "日本語": 3 characters, 9 bytes.
  EXPECT_TRUE(validateFields(s, data("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E")).ok());
  // "é" (2 bytes) x3 and a 4-byte emoji: 4 characters.
  EXPECT_TRUE(validateFields(s, data("\xC3\xA9\xC3\xA9\xC3\xA9")).ok());
  expectUnprocessable(validateFields(s, data("\xC3\xA9\xC3\xA9\xC3\xA9\xF0\x9F\x98\x80")), "Nama");
}

TEST(ValidateFields, TelAcceptsDigitsOnly) {
  const Service s = withFields(input("Masukkan Nomor HP", "tel", 0, 1000));
  EXPECT_TRUE(validateFields(s, data("081234567890")).ok());
  for (const char* bad : {"+6281234", "0812-345", "0812 345", "08123a", "\xD9\xA1\xD9\xA2"}) {
    expectUnprocessable(validateFields(s, data(bad)), "Masukkan Nomor HP");
  }
}

TEST(ValidateFields, NumberAcceptsDigitsOnly) {
  const Service s = withFields(input("User ID", "number", 0, 20));
  EXPECT_TRUE(validateFields(s, data("123456789")).ok());
  for (const char* bad : {"-1", "1.5", "1e3", "12 ", "abc"}) {
    expectUnprocessable(validateFields(s, data(bad)), "User ID");
  }
}

TEST(ValidateFields, TextAcceptsAnything) {
  const Service s = withFields(input("Link", "text", 0, 100));
  EXPECT_TRUE(validateFields(s, data("+62 812-abc/?x=1")).ok());
}

TEST(ValidateFields, SelectValueMustBeAnOption) {
  const Service s = withFields(select("Server", {"Asia", "Europe", "America"}));
  EXPECT_TRUE(validateFields(s, data("Europe")).ok());
  const Status st = validateFields(s, data("Africa"));
  expectUnprocessable(st, "Server");
  EXPECT_THAT(st.error().detail, HasSubstr("Asia"));
  EXPECT_THAT(st.error().detail, HasSubstr("Europe"));
  EXPECT_THAT(st.error().detail, HasSubstr("America"));
  // Exact match only.
  expectUnprocessable(validateFields(s, data("europe")), "Server");
  expectUnprocessable(validateFields(s, data("Europe ")), "Server");
}

TEST(ValidateFields, SelectMissingIsRefused) {
  const Service s = withFields(select("Server", {"Asia", "Europe"}));
  expectUnprocessable(validateFields(s, data(std::nullopt)), "Server");
  expectUnprocessable(validateFields(s, data("")), "Server");
}

TEST(ValidateFields, NoneFieldsAreIgnoredEvenIfDataGiven) {
  FieldSpec none;
  none.type = FieldType::kNone;
  none.input_type = "tel";  // would refuse letters if it were checked
  none.maxlength = 1;
  none.minlength = 5;
  const Service s = withFields(input("Link"), none, none);
  EXPECT_TRUE(validateFields(s, data("x", "not digits and long", "also ignored")).ok());
  EXPECT_TRUE(validateFields(s, data("x")).ok());
}

TEST(ValidateFields, UnlabelledFieldIsNamedByPosition) {
  const Service s = withFields(input("Link"), input(""));
  expectUnprocessable(validateFields(s, data("x", std::nullopt)), "data2");
  EXPECT_EQ(fieldName(s, 1), "data2");
  EXPECT_EQ(fieldName(s, 0), "Link");
}

TEST(ValidateFields, SelectIsNamedBySelectLabel) {
  const Service s = withFields(input("Link"), input("Jumlah"), select("Server", {"A"}));
  EXPECT_EQ(fieldName(s, 2), "Server");
  FieldSpec unlabelled = select("", {"A"});
  const Service u = withFields(unlabelled);
  expectUnprocessable(validateFields(u, data("B")), "data1");
}

// Quantity: social media `default` services, data2 within min..max.
class ParseQuantityTest : public ::testing::Test {
 protected:
  ParseQuantityTest() {
    s_ = withFields(input("Link"), input("Jumlah"));
    s_.min_quantity = 100;
    s_.max_quantity = 1000;
  }
  Result<std::int64_t> parse(std::optional<std::string_view> q) { return parseQuantity(s_, data("x", q)); }
  Service s_;
};

TEST_F(ParseQuantityTest, AcceptsWholeNumbersWithinBounds) {
  auto q = parse("100");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, 100);
  q = parse("1000");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, 1000);
  q = parse("555");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, 555);
}

TEST_F(ParseQuantityTest, RefusesOutOfBounds) {
  for (const char* bad : {"99", "1001", "0"}) {
    auto q = parse(bad);
    ASSERT_FALSE(q.ok()) << bad;
    EXPECT_EQ(q.error().code, Errc::kUnprocessable);
    EXPECT_THAT(q.error().detail, HasSubstr("Jumlah"));
    EXPECT_THAT(q.error().detail, HasSubstr("100"));
    EXPECT_THAT(q.error().detail, HasSubstr("1000"));
  }
}

TEST_F(ParseQuantityTest, RefusesNonNumbers) {
  for (const char* bad :
       {"abc", "-100", "10.5", "1e3", "", " 100", "100 ", "+100", "0x100", "99999999999999999999999"}) {
    auto q = parse(bad);
    ASSERT_FALSE(q.ok()) << '"' << bad << '"';
    EXPECT_EQ(q.error().code, Errc::kUnprocessable) << bad;
    EXPECT_THAT(q.error().detail, HasSubstr("Jumlah")) << bad;
  }
}

TEST_F(ParseQuantityTest, RefusesMissing) {
  auto q = parse(std::nullopt);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().code, Errc::kUnprocessable);
}

}  // namespace
}  // namespace warung::domain
