// The signature of webhooks, both ways: what warung puts on the webhooks it sends and
// what it accepts on the webhooks its providers send it.
#include <gtest/gtest.h>

#include <string>

#include "common/crypto.hpp"
#include "dispatch/webhooks.hpp"

namespace warung::dispatch {
namespace {

TEST(WebhookSignature, AcceptsExactlyTheHmacOfTheBodyUnderTheSecret) {
  const std::string body = R"({"ref_id":"R1","status":"success"})";
  const std::string header = webhookSignature("s3cret", body);
  EXPECT_EQ(header, "sha256=" + crypto::hmacSha256Hex("s3cret", body));
  EXPECT_TRUE(webhookSignatureValid("s3cret", body, header));

  std::string upper = header;
  for (std::size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_TRUE(webhookSignatureValid("s3cret", body, upper));  // hex in either case

  EXPECT_FALSE(webhookSignatureValid("other", body, header));             // another secret
  EXPECT_FALSE(webhookSignatureValid("s3cret", body + " ", header));      // another body
  EXPECT_FALSE(webhookSignatureValid("s3cret", body, header.substr(7)));  // no scheme
  EXPECT_FALSE(webhookSignatureValid("s3cret", body, "sha1=" + header.substr(7)));
  EXPECT_FALSE(webhookSignatureValid("s3cret", body, header.substr(0, header.size() - 1)));
  EXPECT_FALSE(webhookSignatureValid("s3cret", body, ""));
  // Nothing verifies against an empty secret, not even its own signature.
  EXPECT_FALSE(webhookSignatureValid("", body, webhookSignature("", body)));
}

}  // namespace
}  // namespace warung::dispatch
