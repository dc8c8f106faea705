// condense-cli tokenize end to end, against ids from outside:
//  - the Hugging Face folders: every golden case (golden/tokenizer.json, from transformers);
//    for Qwen2 the in-repo sharded test model (tests/data), which carries small-qwen2-bpe's
//    tokenizer files and golden ids.
//    Default = `ids_with_special`. --no-special = `ids` (add_special_tokens=False), except the
//    case that spells special tokens: transformers parses those even without special tokens,
//    llama.cpp's parse_special=false (our --no-special) reads them as plain text, which for
//    tiny-llama is the sentencepiece library's `sentencepiece_ids`.
//  - the llama.cpp-converted tiny-llama GGUF: llama.cpp agrees with the sentencepiece library
//    (`sentencepiece_ids`) on these cases, plus its own space prefix after a parsed special token.
//  - the Qwen2 GGUF (our F16 conversion of small-qwen2-bpe, test_models.h; extended suite):
//    transformers' ids, except where transformers' NFC normalizer changes the text (llama.cpp
//    has none).
//  - a vocabulary-only GGUF (tokenizer.* keys, no tensors, no general.architecture).
//  - the output forms: text lines "id<TAB>piece" with \xNN escapes, whose pieces put together
//    give the text back; --json with U+FFFD for bytes that are not UTF-8.
//  - the job itself (core/pipeline/tokenize_job.h): cancellation.
//  - errors: exit 1 with "condense-cli: error: <file>: ...", 2 for usage.
#include <gtest/gtest.h>

#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/checkpoint.h"
#include "core/io/gguf_file.h"
#include "core/io/gguf_writer.h"
#include "core/pipeline/tokenize_job.h"
#include "core/tokenizer/byte_level.h"
#include "tests/support/synthetic_gguf.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_models.h"
#include "tests/support/test_paths.h"

using namespace condense;
namespace fs = std::filesystem;
using Json = nlohmann::json;
using Ids = std::vector<std::int32_t>;

namespace {

constexpr std::int32_t kTinyBos = 1, kTinyEos = 2, kTinyUnk = 0;
constexpr std::int32_t kTinySpace = 4007;       // "▁"
constexpr std::int32_t kTinyDoubleSpace = 370;  // "▁▁"
constexpr std::int32_t kQwenEndOfText = 8191;   // <|endoftext|>
constexpr const char* kSpecialCase = "Special-token text: <s> </s> <unk> <|endoftext|> end";
constexpr const char* kDecomposedCase = "Decomposed e\xCC\x81 versus precomposed \xC3\xA9";

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

Json golden(const fs::path& modelDir) { return Json::parse(test::readFile(modelDir / "golden" / "tokenizer.json")); }

struct Tokens {
    Ids ids;
    std::vector<std::string> pieces; // unescaped bytes
    std::string joined;
};

// "\xNN" -> the byte; the CLI escapes '\' itself as \x5c, so this is unambiguous.
std::string unescape(const std::string& s)
{
    std::string r;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x') {
            r += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
            i += 3;
        } else {
            r += s[i];
        }
    }
    return r;
}

test::CommandResult runTokenize(const fs::path& model, const std::string& text, bool special, bool json)
{
    test::TempDir dir("condense-tok-cli");
    const fs::path in = dir / "input.txt";
    test::writeFile(in, text);
    return test::runCommand(q(test::cliPath()) + " tokenize " + q(model) + " --file " + q(in) + (special ? "" : " --no-special") +
                            (json ? " --json" : ""));
}

// Text output parsed: one "id<TAB>piece" line per token, nothing else.
Tokens tokenize(const fs::path& model, const std::string& text, bool special)
{
    const auto r = runTokenize(model, text, special, false);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.err, "");
    Tokens t;
    std::size_t pos = 0;
    while (pos < r.out.size()) {
        const std::size_t eol = r.out.find('\n', pos);
        if (eol == std::string::npos) {
            ADD_FAILURE() << "last line without a newline";
            break;
        }
        const std::string line = r.out.substr(pos, eol - pos);
        pos = eol + 1;
        const std::size_t tab = line.find('\t');
        if (tab == std::string::npos) {
            ADD_FAILURE() << "line without a tab: " << line;
            continue;
        }
        for (const char c : line.substr(tab + 1))
            EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << "unescaped control byte in " << line;
        t.ids.push_back(std::stoi(line.substr(0, tab)));
        t.pieces.push_back(unescape(line.substr(tab + 1)));
        t.joined += t.pieces.back();
    }
    return t;
}

Json tokenizeJson(const fs::path& model, const std::string& text, bool special)
{
    const auto r = runTokenize(model, text, special, true);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return Json::parse(r.out);
}

std::string label(const Json& c) { return "case " + c["text"].dump(); }

// SentencePiece-style vocabularies put U+2581 (shown as a space) in front of a text.
std::string withSpacePrefix(const std::string& text) { return text.empty() ? text : " " + text; }
// ... except tokenizers' Metaspace (prepend_scheme "first"), which adds none to a text that
// already starts with one.
std::string withMetaspacePrefix(const std::string& text) { return text.empty() || text[0] == ' ' ? text : " " + text; }

// ---------------------------------------------------------------------------------------------

TEST(CliTokenize, TinyLlamaFolderMatchesTransformersOnEveryGoldenCase)
{
    const Json g = golden(test::tinyLlamaDir());
    ASSERT_EQ(g["cases"].size(), 43u);
    bool sawSpecialCase = false;
    for (const auto& c : g["cases"]) {
        SCOPED_TRACE(label(c));
        const std::string text = c["text"].get<std::string>();
        const Tokens with = tokenize(test::tinyLlamaDir(), text, true);
        EXPECT_EQ(with.ids, c["ids_with_special"].get<Ids>());
        const Tokens plain = tokenize(test::tinyLlamaDir(), text, false);
        if (text == kSpecialCase) {
            sawSpecialCase = true;
            EXPECT_NE(plain.ids, c["ids"].get<Ids>());
            EXPECT_EQ(plain.ids, c["sentencepiece_ids"].get<Ids>());
        } else {
            EXPECT_EQ(plain.ids, c["ids"].get<Ids>());
        }
        // Pieces: U+2581 as a space, <0xNN> as the byte; together the text again.
        EXPECT_EQ(plain.joined, withMetaspacePrefix(text));
        ASSERT_EQ(with.pieces.size(), with.ids.size());
        EXPECT_EQ(with.pieces.front(), "<s>");
    }
    EXPECT_TRUE(sawSpecialCase);
}

TEST(CliTokenize, Qwen2FolderMatchesTransformersOnEveryGoldenCase)
{
    const Json g = golden(test::tinyQwen2Dir());
    ASSERT_EQ(g["cases"].size(), 43u);
    bool sawSpecialCase = false;
    for (const auto& c : g["cases"]) {
        SCOPED_TRACE(label(c));
        const std::string text = c["text"].get<std::string>();
        const Tokens with = tokenize(test::tinyQwen2Dir(), text, true);
        EXPECT_EQ(with.ids, c["ids_with_special"].get<Ids>());
        const Tokens plain = tokenize(test::tinyQwen2Dir(), text, false);
        if (text == kSpecialCase) {
            sawSpecialCase = true;
            EXPECT_NE(std::find(with.ids.begin(), with.ids.end(), kQwenEndOfText), with.ids.end());
            EXPECT_EQ(std::find(plain.ids.begin(), plain.ids.end(), kQwenEndOfText), plain.ids.end());
            EXPECT_NE(plain.ids, c["ids"].get<Ids>());
        } else {
            EXPECT_EQ(plain.ids, c["ids"].get<Ids>());
        }
        // Byte-level pieces are exact bytes (a character split over tokens comes back whole);
        // transformers' decode is of the NFC-normalized text.
        EXPECT_EQ(plain.joined, c["decoded"].get<std::string>());
        EXPECT_EQ(with.joined, c["decoded_with_special"].get<std::string>());
    }
    EXPECT_TRUE(sawSpecialCase);
}

TEST(CliTokenize, TinyLlamaReferenceGgufMatchesLlamaCpp)
{
    const fs::path gguf = test::referenceGguf("F16");
    const Json g = golden(test::tinyLlamaDir());
    for (const auto& c : g["cases"]) {
        SCOPED_TRACE(label(c));
        const std::string text = c["text"].get<std::string>();
        const Ids sp = c["sentencepiece_ids"].get<Ids>();
        const Tokens plain = tokenize(gguf, text, false);
        EXPECT_EQ(plain.ids, sp);
        EXPECT_EQ(plain.joined, withSpacePrefix(text));
        const Tokens with = tokenize(gguf, text, true);
        if (text != kSpecialCase) {
            Ids expected = sp;
            expected.insert(expected.begin(), kTinyBos); // tokenizer.ggml.add_bos_token
            EXPECT_EQ(with.ids, expected);
            continue;
        }
        // Parsed special tokens; llama.cpp gives every text fragment after one its own space
        // prefix, so " " becomes "▁▁" where transformers has "▁".
        Ids expected = c["ids_with_special"].get<Ids>();
        for (std::size_t i = 1; i + 1 < expected.size(); ++i)
            if (expected[i] == kTinySpace && (expected[i - 1] == kTinyBos || expected[i - 1] == kTinyEos || expected[i - 1] == kTinyUnk))
                expected[i] = kTinyDoubleSpace;
        EXPECT_EQ(with.ids, expected);
        EXPECT_EQ(with.joined, "<s> Special-token text: <s>  </s>  <unk>  <|endoftext|> end");
    }
}

TEST(CliTokenize, Qwen2GgufMatchesTransformersWhereLlamaCppDoes)
{
    const fs::path gguf = test::testModel("qwen2-F16");
    ASSERT_FALSE(gguf.empty());
    const Json g = golden(test::qwen2Dir());
    bool sawDecomposed = false;
    for (const auto& c : g["cases"]) {
        SCOPED_TRACE(label(c));
        const std::string text = c["text"].get<std::string>();
        const Tokens with = tokenize(gguf, text, true);
        const Tokens plain = tokenize(gguf, text, false);
        if (text == kDecomposedCase) {
            // No NFC step in llama.cpp: the decomposed é stays two code points.
            sawDecomposed = true;
            EXPECT_NE(plain.ids, c["ids"].get<Ids>());
            EXPECT_EQ(plain.joined, text);
            continue;
        }
        EXPECT_EQ(with.ids, c["ids_with_special"].get<Ids>());
        if (text == kSpecialCase) EXPECT_EQ(plain.ids, tokenize(test::qwen2Dir(), text, false).ids);
        else EXPECT_EQ(plain.ids, c["ids"].get<Ids>());
        EXPECT_EQ(plain.joined, text);
    }
    EXPECT_TRUE(sawDecomposed);
}

TEST(CliTokenize, VocabularyOnlyGgufTokenizesLikeTheFullFile)
{
    // tokenizer.* keys of the reference GGUF, no tensors and no general.architecture.
    const fs::path full = test::referenceGguf("F16");
    auto src = io::GgufFile::open(full);
    ASSERT_TRUE(src.ok()) << describe(src.error());
    io::GgufWriter w;
    for (const auto& kv : (*src)->metadata())
        if (kv.key.rfind("tokenizer.", 0) == 0) w.set(kv.key, kv.value);
    test::TempDir dir("condense-tok-vocab");
    const fs::path vocab = dir / "vocab-only.gguf";
    jobs::NullSink sink;
    auto written = w.write(vocab, [](std::size_t, io::TensorOutput&) { return okStatus(); }, {}, sink);
    ASSERT_TRUE(written.ok()) << describe(written.error());

    auto ck = io::openCheckpoint(vocab, sink);
    ASSERT_TRUE(ck.ok()) << describe(ck.error());
    EXPECT_TRUE((*ck)->tensors().empty());

    for (const char* text : {"Hello world", "line one\nline two", "<s>x</s>", "Emoji: \xF0\x9F\x98\x80"}) {
        SCOPED_TRACE(text);
        for (const bool special : {true, false}) {
            const Tokens a = tokenize(vocab, text, special);
            const Tokens b = tokenize(full, text, special);
            EXPECT_FALSE(a.ids.empty());
            EXPECT_EQ(a.ids, b.ids);
            EXPECT_EQ(a.pieces, b.pieces);
        }
    }
}

// A made-up gpt2 vocabulary: the 256 byte characters, then merged tokens that only come out
// when the pre-tokenizer leaves the pair in one word.
fs::path writeByteVocab(const fs::path& path, const std::string& pre)
{
    std::vector<std::string> tokens;
    for (int b = 0; b < 256; ++b) tokens.emplace_back(tokenizer::byte_level::charOf(static_cast<std::uint8_t>(b)));
    const std::vector<std::pair<std::string, std::string>> merges = {
        {"a", "1"}, {"1", "2"}, {"\xC4\xA0", "a"}, {"a", "b"}, {"\xC4\xA0", "!"}, {"!", "?"}, {"a", "!"}};
    std::vector<std::string> mergeText;
    for (const auto& [l, r] : merges) {
        tokens.push_back(l + r);
        mergeText.push_back(l + " " + r);
    }
    io::GgufWriter w;
    w.set("tokenizer.ggml.model", io::GgufValue::string("gpt2"));
    w.set("tokenizer.ggml.pre", io::GgufValue::string(pre));
    w.set("tokenizer.ggml.tokens", io::GgufValue::stringArray(tokens));
    w.set("tokenizer.ggml.merges", io::GgufValue::stringArray(mergeText));
    jobs::NullSink sink;
    auto r = w.write(path, [](std::size_t, io::TensorOutput&) { return okStatus(); }, {}, sink);
    EXPECT_TRUE(r.ok()) << describe(r.error());
    return path;
}

TEST(CliTokenize, DeepseekCoderPreTokenizerSplitsAsLlamaCpp)
{
    // llama.cpp's deepseek-coder regexes, in turn: [\r\n] | \s?\p{L}+ | \s?\p{P}+ | CJK/Hangul
    // runs | \p{N} (one digit per word). Checked in full against llama.cpp's
    // ggml-vocab-deepseek-coder.gguf test cases (llama_vocab_test.cpp, opt-in).
    test::TempDir dir("condense-tok-deepseek");
    const fs::path vocab = writeByteVocab(dir / "deepseek-coder.gguf", "deepseek-coder");
    const auto pieces = [&](const std::string& text) { return tokenize(vocab, text, false).pieces; };
    using P = std::vector<std::string>;
    EXPECT_EQ(pieces("a1"), (P{"a", "1"}));       // letters and digits apart
    EXPECT_EQ(pieces("12"), (P{"1", "2"}));       // one digit at a time
    EXPECT_EQ(pieces("ab a"), (P{"ab", " a"}));   // a space stays with the letters after it
    EXPECT_EQ(pieces("a!? !?"), (P{"a", "!?", " !", "?"}));
    // The same vocabulary under gpt-2's pre-tokenizer keeps digit runs whole.
    const fs::path other = writeByteVocab(dir / "gpt-2.gguf", "gpt-2");
    EXPECT_EQ(tokenize(other, "12", false).pieces, (P{"12"}));
    // deepseek-llm (a long list of letter ranges) is not one we run.
    const fs::path llm = writeByteVocab(dir / "deepseek-llm.gguf", "deepseek-llm");
    const auto r = runTokenize(llm, "a", false, false);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("deepseek-llm"), std::string::npos) << r.err;
}

TEST(CliTokenize, TextOutputEscapesAndJsonReplacesInvalidUtf8)
{
    const fs::path gguf = test::referenceGguf("F16");
    // "a\\b\n😀": the emoji is not in the 4096-token vocabulary, so byte-fallback tokens.
    const std::string text = "a\\b\n\xF0\x9F\x98\x80";
    const auto r = runTokenize(gguf, text, false, false);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("\t\\x0a\n"), std::string::npos) << r.out;   // <0x0A>
    EXPECT_NE(r.out.find("\t\\x5c"), std::string::npos) << r.out;      // a backslash
    EXPECT_NE(r.out.find("\t\\xf0\n"), std::string::npos) << r.out;   // the emoji's first byte
    const Tokens t = tokenize(gguf, text, false);
    EXPECT_EQ(t.joined, " " + text);

    const Json j = tokenizeJson(gguf, text, false);
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j.size(), 2u);
    EXPECT_EQ(j["ids"].get<Ids>(), t.ids);
    ASSERT_EQ(j["pieces"].size(), t.pieces.size());
    std::size_t replaced = 0;
    for (std::size_t i = 0; i < t.pieces.size(); ++i) {
        const std::string p = j["pieces"][i].get<std::string>();
        if (t.pieces[i].size() == 1 && static_cast<unsigned char>(t.pieces[i][0]) >= 0x80) {
            EXPECT_EQ(p, "\xEF\xBF\xBD"); // U+FFFD
            ++replaced;
        } else {
            EXPECT_EQ(p, t.pieces[i]);
        }
    }
    EXPECT_EQ(replaced, 4u);

    // --text, and pieces of special tokens as they are spelled.
    const auto s = test::runCommand(q(test::cliPath()) + " tokenize " + q(test::tinyQwen2Dir()) + " --text 'Hi<|endoftext|>' --json");
    ASSERT_EQ(s.exitCode, 0) << s.err;
    const Json js = Json::parse(s.out);
    ASSERT_FALSE(js["pieces"].empty());
    EXPECT_EQ(js["ids"].back(), kQwenEndOfText);
    EXPECT_EQ(js["pieces"].back(), "<|endoftext|>");
}

TEST(CliTokenize, TheJobStopsWhenCancelled)
{
    for (const fs::path& model : {test::referenceGguf("F16"), test::tinyQwen2Dir()}) {
        SCOPED_TRACE(model.string());
        jobs::NullSink sink;
        const pipeline::TokenizeRequest request{model.string(), "Hello world", {}, true};
        auto done = pipeline::runTokenize(request, sink, std::stop_token());
        ASSERT_TRUE(done.ok()) << describe(done.error());
        EXPECT_EQ(done->ids.size(), done->pieces.size());
        EXPECT_FALSE(done->ids.empty());
        std::stop_source stop;
        stop.request_stop();
        auto cancelled = pipeline::runTokenize(request, sink, stop.get_token());
        ASSERT_FALSE(cancelled.ok());
        EXPECT_EQ(cancelled.error().code, ErrorCode::Cancelled) << describe(cancelled.error());
    }
}

TEST(CliTokenize, ErrorsNameTheFile)
{
    test::TempDir dir("condense-tok-err");
    const std::string cli = q(test::cliPath()) + " tokenize ";
    const auto expectError = [](const test::CommandResult& r, int code, const std::string& prefix) {
        EXPECT_EQ(r.exitCode, code) << r.err;
        EXPECT_EQ(r.out, "");
        EXPECT_EQ(r.err.rfind(prefix, 0), 0u) << r.err;
    };
    const fs::path missing = dir / "no-such-model";
    expectError(test::runCommand(cli + q(missing) + " --text x"), 1, "condense-cli: error: " + missing.string() + ": ");
    expectError(test::runCommand(cli + q(test::tinyQwen2Dir())), 2, "");
    expectError(test::runCommand(cli + q(test::tinyQwen2Dir()) + " --text x --file " + q(dir / "x")), 2, "");
    expectError(test::runCommand(cli + "--text x"), 2, "");
    const fs::path noFile = dir / "no-such-text.txt";
    expectError(test::runCommand(cli + q(test::tinyQwen2Dir()) + " --file " + q(noFile)), 1, "condense-cli: error: " + noFile.string() + ": ");
    expectError(test::runCommand(cli + q(test::tinyQwen2Dir()) + " --file " + q(dir.path())), 1,
                "condense-cli: error: " + dir.path().string() + ": ");

    // A GGUF without a vocabulary, and one whose vocabulary we cannot run.
    const fs::path bare = dir / "bare.gguf";
    test::SyntheticLlama spec;
    spec.nEmbd = 64, spec.nHead = 2, spec.nHeadKv = 2, spec.nFf = 128, spec.nLayer = 1, spec.nVocab = 32;
    ASSERT_EQ(test::writeSyntheticLlama(bare, spec), "");
    expectError(test::runCommand(cli + q(bare) + " --text x"), 1, "condense-cli: error: " + bare.string() + ": ");

    auto src = io::GgufFile::open(test::referenceGguf("F16"));
    ASSERT_TRUE(src.ok());
    io::GgufWriter w;
    for (const auto& kv : (*src)->metadata())
        if (kv.key.rfind("tokenizer.", 0) == 0) w.set(kv.key, kv.value);
    w.set("tokenizer.ggml.model", io::GgufValue::string("bert"));
    const fs::path bert = dir / "bert.gguf";
    jobs::NullSink sink;
    ASSERT_TRUE(w.write(bert, [](std::size_t, io::TensorOutput&) { return okStatus(); }, {}, sink).ok());
    const auto r = test::runCommand(cli + q(bert) + " --text x");
    expectError(r, 1, "condense-cli: error: " + bert.string() + ": ");
    EXPECT_NE(r.err.find("WordPiece"), std::string::npos) << r.err;
}

} // namespace
