#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include "core/io/checkpoint.h"
#include "core/io/error_text.h"
#include "core/io/gguf_file.h"
#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/gguf_bpe_tokenizer.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/io/json_file.h"
#include "core/tokenizer/sentencepiece_model.h"
#include "core/tokenizer/spm_tokenizer.h"

namespace condense::tokenizer {

namespace {

namespace fs = std::filesystem;
constexpr std::uint64_t kMaxVocab = 1ull << 26;

TokenAttr attrFromGguf(std::int64_t t)
{
    switch (t) {
    case 2: return TokenAttr::Unknown;
    case 3: return TokenAttr::Control;
    case 4: return TokenAttr::UserDefined;
    case 5: return TokenAttr::Unused;
    case 6: return TokenAttr::Byte;
    default: return TokenAttr::Normal; // 1 normal; 0 / others "undefined"
    }
}

struct GgufCommon {
    std::vector<std::string> pieces;
    std::vector<TokenAttr> attrs;
    std::vector<float> scores;
};

Result<GgufCommon> readGgufVocab(const io::GgufFile& g, bool wantScores)
{
    const std::string& file = g.path();
    GgufCommon c;
    const io::GgufValue* tokens = g.find("tokenizer.ggml.tokens");
    if (!tokens) return makeError(ErrorCode::MissingTokenizer, file, "no tokenizer.ggml.tokens: the GGUF carries no vocabulary");
    if (!tokens->isArray() || tokens->elementType() != io::GgufType::String)
        return makeError(ErrorCode::Malformed, file, "tokenizer.ggml.tokens is not an array of strings");
    const std::uint64_t n = tokens->size();
    if (n == 0) return makeError(ErrorCode::MissingTokenizer, file, "tokenizer.ggml.tokens is empty");
    if (n > kMaxVocab) return makeError(ErrorCode::OutOfRange, file, "tokenizer.ggml.tokens holds " + std::to_string(n) + " tokens, implausibly many");
    c.pieces = tokens->strings();
    for (std::size_t i = 0; i < c.pieces.size(); ++i)
        if (c.pieces[i].empty()) c.pieces[i] = "[EMPTY_" + std::to_string(i) + "]"; // as llama.cpp names them

    c.attrs.assign(n, TokenAttr::Normal);
    if (const io::GgufValue* types = g.find("tokenizer.ggml.token_type")) {
        if (!types->isArray() || types->size() < n)
            return makeError(ErrorCode::Malformed, file, "tokenizer.ggml.token_type has fewer entries than tokenizer.ggml.tokens");
        for (std::uint64_t i = 0; i < n; ++i) {
            const auto t = types->intAt(i);
            if (!t) return makeError(ErrorCode::Malformed, file, "tokenizer.ggml.token_type is not an integer array");
            c.attrs[i] = attrFromGguf(*t);
        }
    }
    if (wantScores) {
        c.scores.assign(n, 0.0f);
        if (const io::GgufValue* scores = g.find("tokenizer.ggml.scores")) {
            if (!scores->isArray() || scores->size() < n)
                return makeError(ErrorCode::Malformed, file, "tokenizer.ggml.scores has fewer entries than tokenizer.ggml.tokens");
            for (std::uint64_t i = 0; i < n; ++i) {
                const auto s = scores->floatAt(i);
                if (!s) return makeError(ErrorCode::Malformed, file, "tokenizer.ggml.scores is not a float array");
                c.scores[i] = static_cast<float>(*s);
            }
        }
    }
    return c;
}

// A special token id key, or `fallback` when absent or out of range (llama.cpp warns and
// keeps its default).
std::int32_t specialId(const io::GgufFile& g, const char* key, std::int32_t fallback, std::size_t n)
{
    const auto v = g.getUInt(key);
    if (v && *v < n) return static_cast<std::int32_t>(*v);
    return fallback >= 0 && static_cast<std::size_t>(fallback) < n ? fallback : -1;
}

const char* unsupportedModelKind(const std::string& model)
{
    if (model == "bert") return "WordPiece";
    if (model == "t5") return "Unigram (T5)";
    if (model == "rwkv") return "RWKV";
    if (model == "plamo2") return "PLaMo-2";
    return nullptr;
}

} // namespace

const char* tokenizerSourceName(TokenizerSource s) noexcept
{
    switch (s) {
    case TokenizerSource::HfTokenizerJson: return "tokenizer.json";
    case TokenizerSource::SentencePieceModel: return "tokenizer.model";
    case TokenizerSource::GgufLlama: return "GGUF llama (SentencePiece BPE)";
    case TokenizerSource::GgufGpt2: return "GGUF gpt2 (byte-level BPE)";
    }
    return "?";
}

const std::string& Tokenizer::tokenToPiece(std::int32_t id) const
{
    static const std::string kEmpty;
    return id >= 0 && id < vocabSize() ? m_pieces[static_cast<std::size_t>(id)] : kEmpty;
}

std::string Tokenizer::tokenText(std::int32_t id) const
{
    const std::string& piece = tokenToPiece(id);
    std::string out;
    switch (tokenAttr(id)) {
    case TokenAttr::Control:
    case TokenAttr::Unknown:
    case TokenAttr::UserDefined: return piece;
    case TokenAttr::Unused: return out;
    case TokenAttr::Byte:
        if (const int b = byteTokenValue(piece); b >= 0) return std::string(1, static_cast<char>(b));
        break; // a byte token not spelled <0xNN>: as a normal one
    case TokenAttr::Normal: break;
    }
    if (m_byteLevelText) {
        byte_level::decodeToken(piece, out);
        return out;
    }
    static constexpr std::string_view kSpaceMark = "\xE2\x96\x81"; // U+2581
    out.reserve(piece.size());
    for (std::size_t i = 0; i < piece.size();) {
        if (piece.compare(i, kSpaceMark.size(), kSpaceMark) == 0) {
            out += ' ';
            i += kSpaceMark.size();
        } else {
            out += piece[i++];
        }
    }
    return out;
}

TokenAttr Tokenizer::tokenAttr(std::int32_t id) const
{
    return id >= 0 && id < vocabSize() ? m_attrs[static_cast<std::size_t>(id)] : TokenAttr::Unused;
}

bool Tokenizer::isSpecial(std::int32_t id) const
{
    const TokenAttr a = tokenAttr(id);
    return id >= 0 && id < vocabSize() && (a == TokenAttr::Control || a == TokenAttr::Unknown);
}

Result<std::unique_ptr<Tokenizer>> loadTokenizer(const io::GgufFile& g)
{
    const std::string& file = g.path();
    const auto model = g.getString("tokenizer.ggml.model");
    if (!model) return makeError(ErrorCode::MissingTokenizer, file, "no tokenizer.ggml.model: the GGUF carries no tokenizer");
    if (*model == "no_vocab" || *model == "none")
        return makeError(ErrorCode::MissingTokenizer, file, "tokenizer.ggml.model is " + io::quotedName(*model) + ": the GGUF carries no vocabulary");

    if (*model == "llama") {
        auto c = readGgufVocab(g, true);
        if (!c) return std::move(c).error();
        const std::size_t n = c->pieces.size();
        SpmTokenizer::GgufVocab v;
        v.bos = specialId(g, "tokenizer.ggml.bos_token_id", 1, n);
        v.eos = specialId(g, "tokenizer.ggml.eos_token_id", 2, n);
        v.unk = specialId(g, "tokenizer.ggml.unknown_token_id", 0, n);
        v.pad = specialId(g, "tokenizer.ggml.padding_token_id", -1, n);
        v.addBos = g.getBool("tokenizer.ggml.add_bos_token").value_or(true);
        v.addEos = g.getBool("tokenizer.ggml.add_eos_token").value_or(false);
        v.addSpacePrefix = g.getBool("tokenizer.ggml.add_space_prefix").value_or(true);
        v.pieces = std::move(c->pieces);
        v.scores = std::move(c->scores);
        v.attrs = std::move(c->attrs);
        auto t = SpmTokenizer::fromGguf(std::move(v), file);
        if (!t) return std::move(t).error();
        return std::unique_ptr<Tokenizer>(std::move(*t));
    }
    if (*model == "gpt2") {
        auto c = readGgufVocab(g, false);
        if (!c) return std::move(c).error();
        const std::size_t n = c->pieces.size();
        GgufBpeTokenizer::GgufVocab v;
        const io::GgufValue* merges = g.find("tokenizer.ggml.merges");
        if (!merges) return makeError(ErrorCode::MissingTokenizer, file, "no tokenizer.ggml.merges: a gpt2 vocabulary needs its merges");
        if (!merges->isArray() || merges->elementType() != io::GgufType::String)
            return makeError(ErrorCode::Malformed, file, "tokenizer.ggml.merges is not an array of strings");
        v.merges.reserve(merges->size());
        for (const std::string& m : merges->strings()) {
            const std::size_t sp = m.find(' ', 1); // llama.cpp: the first space after the first byte
            if (sp == std::string::npos) continue;
            v.merges.emplace_back(m.substr(0, sp), m.substr(sp + 1));
        }
        v.pre = g.getString("tokenizer.ggml.pre").value_or("");
        v.bos = specialId(g, "tokenizer.ggml.bos_token_id", -1, n);
        v.eos = specialId(g, "tokenizer.ggml.eos_token_id", -1, n);
        v.unk = specialId(g, "tokenizer.ggml.unknown_token_id", -1, n);
        v.pad = specialId(g, "tokenizer.ggml.padding_token_id", -1, n);
        v.addBos = g.getBool("tokenizer.ggml.add_bos_token");
        v.addEos = g.getBool("tokenizer.ggml.add_eos_token");
        v.pieces = std::move(c->pieces);
        v.attrs = std::move(c->attrs);
        auto t = GgufBpeTokenizer::create(std::move(v), file);
        if (!t) return std::move(t).error();
        return std::unique_ptr<Tokenizer>(std::move(*t));
    }
    if (const char* kind = unsupportedModelKind(*model))
        return makeError(ErrorCode::UnsupportedFormat, file,
                         "tokenizer.ggml.model " + io::quotedName(*model) + " (" + kind + ") is not supported; only llama and gpt2 vocabularies are");
    return makeError(ErrorCode::UnsupportedFormat, file,
                     "tokenizer.ggml.model " + io::quotedName(*model) + " is not supported; only llama and gpt2 vocabularies are");
}

Result<std::unique_ptr<Tokenizer>> loadTokenizer(const fs::path& path)
{
    std::error_code ec;
    fs::path folder = path;
    if (fs::is_regular_file(path, ec)) {
        if (path.extension() == ".gguf") {
            auto g = io::GgufFile::open(path);
            if (!g) return std::move(g).error();
            return loadTokenizer(**g);
        }
        folder = path.parent_path();
        if (folder.empty()) folder = ".";
    } else if (!fs::is_directory(path, ec)) {
        return makeError(ErrorCode::NotFound, path.string(), "no such file or folder");
    }

    if (fs::is_regular_file(folder / "tokenizer.json", ec)) {
        auto t = HfTokenizer::load(folder);
        if (!t) return std::move(t).error();
        return std::unique_ptr<Tokenizer>(std::move(*t));
    }
    const fs::path spFile = folder / "tokenizer.model";
    if (fs::is_regular_file(spFile, ec)) {
        auto sp = readSentencePieceModel(spFile);
        if (!sp) return std::move(sp).error();
        auto config = io::readOptionalJsonFile(folder / "tokenizer_config.json");
        if (!config) return std::move(config).error();
        std::optional<bool> addBos, addEos;
        if (*config && (*config)->is_object()) {
            const auto& c = **config;
            if (auto it = c.find("add_bos_token"); it != c.end() && it->is_boolean()) addBos = it->get<bool>();
            if (auto it = c.find("add_eos_token"); it != c.end() && it->is_boolean()) addEos = it->get<bool>();
        }
        auto t = SpmTokenizer::fromSentencePiece(*sp, spFile.string(), addBos, addEos);
        if (!t) return std::move(t).error();
        return std::unique_ptr<Tokenizer>(std::move(*t));
    }
    std::string detail = "no tokenizer.json or tokenizer.model";
    if (fs::is_regular_file(folder / "vocab.json", ec) || fs::is_regular_file(folder / "merges.txt", ec))
        detail += " (vocab.json/merges.txt of a slow GPT-2 tokenizer are not supported)";
    return makeError(ErrorCode::MissingTokenizer, folder.string(), detail);
}

Result<std::unique_ptr<Tokenizer>> loadTokenizer(const io::Checkpoint& checkpoint)
{
    if (const io::GgufFile* g = checkpoint.gguf()) return loadTokenizer(*g);
    return loadTokenizer(checkpoint.folder());
}

} // namespace condense::tokenizer
