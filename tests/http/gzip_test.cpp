#include "http/gzip.hpp"

#include <gtest/gtest.h>

#include <string>

#include "http/support.hpp"

namespace warung::http {
namespace {

using testing::gunzip;

TEST(Gzip, RoundTripsAndShrinksRepetitiveJson) {
  std::string json = "[";
  for (int i = 0; i < 2000; ++i)
    json += R"({"category":{"main":"Instagram","type":"default"},"status":"ready"},)";
  json.back() = ']';
  const std::string gz = gzipCompress(json);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);  // gzip magic, not a bare zlib stream
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_LT(gz.size() * 20, json.size());
  EXPECT_EQ(gunzip(gz), json);
}

TEST(Gzip, EmptyInputIsAValidStream) { EXPECT_EQ(gunzip(gzipCompress("")), ""); }

TEST(Gzip, AcceptEncodingParsing) {
  EXPECT_TRUE(acceptsGzip("gzip"));
  EXPECT_TRUE(acceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(acceptsGzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(acceptsGzip("*"));
  EXPECT_TRUE(acceptsGzip("deflate, x-gzip"));
  EXPECT_FALSE(acceptsGzip(""));
  EXPECT_FALSE(acceptsGzip("identity"));
  EXPECT_FALSE(acceptsGzip("deflate, br"));
  EXPECT_FALSE(acceptsGzip("gzip;q=0"));
  EXPECT_FALSE(acceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(acceptsGzip("gzipx"));
}

}  // namespace
}  // namespace warung::http
