// Our SentencePiece-BPE paths against the sentencepiece library itself (libsentencepiece, linked
// by this test only) on tiny-llama-spm's tokenizer.model: a few thousand random lines of the two
// eval texts (fixed seed), random byte ranges of them (cut anywhere, so also malformed UTF-8),
// and the whole texts. The tokenizer.model path must give the library's ids and decoded text;
// llama.cpp's GGUF path gives the same ids on valid UTF-8 (it has no U+FFFD replacement).
#include <gtest/gtest.h>

#include <random>
#include <sentencepiece_processor.h>

#include "core/tokenizer/tokenizer.h"
#include "core/tokenizer/utf8.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::tokenizer {
namespace {

namespace fs = std::filesystem;
using Ids = std::vector<std::int32_t>;

class SentencepieceOracle : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_sp = std::make_unique<sentencepiece::SentencePieceProcessor>();
        const auto status = s_sp->Load((test::tinyLlamaDir() / "tokenizer.model").string());
        ASSERT_TRUE(status.ok()) << status.ToString();
        s_dir = std::make_unique<test::TempDir>("condense-tok-sp");
        fs::create_symlink(test::tinyLlamaDir() / "tokenizer.model", *s_dir / "tokenizer.model");
        auto model = loadTokenizer(s_dir->path());
        ASSERT_TRUE(model.ok()) << describe(model.error());
        s_model = std::move(*model);
        auto gguf = loadTokenizer(test::referenceGguf("F16"));
        ASSERT_TRUE(gguf.ok()) << describe(gguf.error());
        s_gguf = std::move(*gguf);
        for (const char* f : {"eval/corpus-val.txt", "eval/wikitext-2-raw-test.txt"}) s_texts.push_back(test::readFile(test::modelsDir() / f));
    }
    static void TearDownTestSuite()
    {
        s_model.reset();
        s_gguf.reset();
        s_sp.reset();
        s_dir.reset();
        s_texts.clear();
    }

    static Ids oracle(const std::string& text)
    {
        const std::vector<int> ids = s_sp->EncodeAsIds(text);
        return Ids(ids.begin(), ids.end());
    }
    static std::string oracleDecode(const Ids& ids) { return s_sp->DecodeIds(std::vector<int>(ids.begin(), ids.end())); }

    static std::unique_ptr<sentencepiece::SentencePieceProcessor> s_sp;
    static std::unique_ptr<test::TempDir> s_dir;
    static std::unique_ptr<Tokenizer> s_model, s_gguf;
    static std::vector<std::string> s_texts;
};
std::unique_ptr<sentencepiece::SentencePieceProcessor> SentencepieceOracle::s_sp;
std::unique_ptr<test::TempDir> SentencepieceOracle::s_dir;
std::unique_ptr<Tokenizer> SentencepieceOracle::s_model, SentencepieceOracle::s_gguf;
std::vector<std::string> SentencepieceOracle::s_texts;

std::vector<std::string> linesOf(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t p = text.find('\n'); p != std::string::npos; p = text.find('\n', start)) {
        lines.push_back(text.substr(start, p - start));
        start = p + 1;
    }
    if (start < text.size()) lines.push_back(text.substr(start));
    return lines;
}

TEST_F(SentencepieceOracle, RandomLinesOfTheEvalTexts)
{
    std::mt19937 rng(20240917);
    int compared = 0, mismatchModel = 0, mismatchGguf = 0, mismatchDecode = 0;
    for (const std::string& text : s_texts) {
        const auto lines = linesOf(text);
        std::uniform_int_distribution<std::size_t> pick(0, lines.size() - 1);
        for (int k = 0; k < 1500; ++k) {
            const std::string& line = lines[pick(rng)];
            const Ids want = oracle(line);
            const Ids ours = s_model->encode(line, false, false);
            ++compared;
            if (ours != want && ++mismatchModel <= 5) ADD_FAILURE() << "tokenizer.model ids differ on " << ::testing::PrintToString(line);
            if (s_gguf->encode(line, false, false) != want && ++mismatchGguf <= 5)
                ADD_FAILURE() << "GGUF ids differ on " << ::testing::PrintToString(line);
            if (s_model->decode(want, true) != oracleDecode(want) && ++mismatchDecode <= 5)
                ADD_FAILURE() << "decoded text differs on " << ::testing::PrintToString(line);
        }
    }
    EXPECT_EQ(compared, 3000);
    EXPECT_EQ(mismatchModel, 0);
    EXPECT_EQ(mismatchGguf, 0);
    EXPECT_EQ(mismatchDecode, 0);
}

TEST_F(SentencepieceOracle, RandomByteRangesIncludingMalformedUtf8)
{
    // Cut anywhere: spans of spaces/newlines, half characters (malformed UTF-8, which
    // sentencepiece reads as U+FFFD per bad byte and byte_fallback spells as bytes).
    std::mt19937 rng(7);
    int malformed = 0, mismatches = 0;
    for (int k = 0; k < 2000; ++k) {
        const std::string& text = s_texts[static_cast<std::size_t>(k % 2)];
        std::uniform_int_distribution<std::size_t> start(0, text.size() - 1);
        std::uniform_int_distribution<std::size_t> len(0, 300);
        const std::size_t b = start(rng);
        const std::string piece = text.substr(b, len(rng));
        if (!utf8::isValid(piece)) ++malformed;
        const Ids want = oracle(piece);
        if (s_model->encode(piece, false, false) != want && ++mismatches <= 5)
            ADD_FAILURE() << "ids differ on " << ::testing::PrintToString(piece);
        if (s_model->decode(want, true) != oracleDecode(want) && ++mismatches <= 5)
            ADD_FAILURE() << "decoded text differs on " << ::testing::PrintToString(piece);
        if (utf8::isValid(piece) && s_gguf->encode(piece, false, false) != want && ++mismatches <= 5)
            ADD_FAILURE() << "GGUF ids differ on " << ::testing::PrintToString(piece);
    }
    EXPECT_GT(malformed, 10); // the texts have non-ASCII characters to cut through
    EXPECT_EQ(mismatches, 0);
}

TEST_F(SentencepieceOracle, WholeEvalTexts)
{
    for (const std::string& text : s_texts) {
        const Ids want = oracle(text);
        EXPECT_EQ(s_model->encode(text, false, false), want);
        EXPECT_EQ(s_gguf->encode(text, false, false), want);
        EXPECT_EQ(s_model->decode(want, true), oracleDecode(want));
        EXPECT_EQ(s_gguf->decode(want, true), text);
    }
}

TEST_F(SentencepieceOracle, SpecialIdsAndPieces)
{
    EXPECT_EQ(s_model->bosId(), s_sp->bos_id());
    EXPECT_EQ(s_model->eosId(), s_sp->eos_id());
    EXPECT_EQ(s_model->unkId(), s_sp->unk_id());
    EXPECT_EQ(s_model->padId(), s_sp->pad_id());
    ASSERT_EQ(s_model->vocabSize(), s_sp->GetPieceSize());
    for (int id = 0; id < s_sp->GetPieceSize(); ++id) {
        EXPECT_EQ(s_model->tokenToPiece(id), s_sp->IdToPiece(id));
        EXPECT_EQ(s_model->isControl(id), s_sp->IsControl(id));
        EXPECT_EQ(s_gguf->tokenToPiece(id), s_sp->IdToPiece(id));
    }
}

} // namespace
} // namespace condense::tokenizer
