// core/common/regex: core's one PCRE2 wrapper, with the two option sets its users need
// (tokenizers: Unicode classes on sanitized text; --tensor-type: plain UTF mode, any subject).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/common/regex.h"

namespace condense::test {
namespace {

TEST(Regex, SearchAndFind)
{
    auto re = Regex::compile("blk\\.[0-9]+\\.attn_v");
    ASSERT_TRUE(re.ok());
    EXPECT_TRUE(re->search("blk.12.attn_v.weight"));
    EXPECT_FALSE(re->search("blk.x.attn_v.weight"));
    const auto m = re->find("xx blk.3.attn_v");
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->first, 3u);
    EXPECT_EQ(m->second, 15u);
    EXPECT_FALSE(re->find("blk.3.attn_v", 1).has_value());
    EXPECT_EQ(re->pattern(), "blk\\.[0-9]+\\.attn_v");
}

TEST(Regex, CompileErrorNamesTheOffset)
{
    auto re = Regex::compile("attn_(v");
    ASSERT_FALSE(re.ok());
    EXPECT_EQ(re.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(re.error().detail.rfind("does not compile at offset 7: ", 0), 0u) << re.error().detail;
}

TEST(Regex, UnicodePropertiesOnlyWhenAsked)
{
    const std::string e = "\xC3\xA9"; // U+00E9
    auto ascii = Regex::compile("^\\w$");
    auto ucp = Regex::compile("^\\w$", RegexOptions{.unicodeProperties = true});
    ASSERT_TRUE(ascii.ok() && ucp.ok());
    EXPECT_FALSE(ascii->search(e));
    EXPECT_TRUE(ucp->search(e));
}

TEST(Regex, InvalidUtf8SubjectDoesNotMatchWhenChecked)
{
    auto re = Regex::compile("a");
    ASSERT_TRUE(re.ok());
    EXPECT_FALSE(re->search("a\xFF"));
    EXPECT_TRUE(re->search("a\xC3\xA9"));
}

TEST(Regex, FindAllSkipsEmptyMatchesByCharacter)
{
    auto re = Regex::compile("x*", RegexOptions{.unicodeProperties = true, .validUtf8Subjects = true});
    ASSERT_TRUE(re.ok());
    std::vector<Regex::Range> out;
    re->findAll("\xC3\xA9xx\xE2\x82\xACx", out); // é xx € x
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0], Regex::Range(2, 4));
    EXPECT_EQ(out[1], Regex::Range(7, 8));
    re->findAll("", out);
    EXPECT_TRUE(out.empty());
}

} // namespace
} // namespace condense::test
