#include "core/tokenizer/gguf_bpe_tokenizer.h"

#include <algorithm>

#include "core/io/error_text.h"
#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/tokenizer_regex.h"
#include "core/tokenizer/utf8.h"

namespace condense::tokenizer {

namespace {

// Pre-tokenizer regexes by tokenizer.ggml.pre (llama.cpp src/llama-vocab.cpp llm_tokenizer_bpe
// and the name -> type table in llama_vocab::impl::load), with llama.cpp's flags.
constexpr const char* kGpt2 = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";
constexpr const char* kLlama3 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen2 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen35 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kGpt4o =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kTekken =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kSeedCoder =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kBloom = " ?[^(\\s|.,!?\xE2\x80\xA6\xE3\x80\x82\xEF\xBC\x8C\xE3\x80\x81\xE0\xA5\xA4\xDB\x94\xD8\x8C)]+"; // … 。 ， 、 । ۔ ،

// CJK ideographs U+4E00-U+9FA5, U+0800-U+4E00 (sic) and Hangul U+AC00-U+D7FF, as llama.cpp
// spells them for deepseek-coder.
constexpr const char* kCjkHangul = R"([\x{4E00}-\x{9FA5}\x{0800}-\x{4E00}\x{AC00}-\x{D7FF}]+)";

struct PreSpec {
    std::vector<std::string_view> names;
    std::vector<const char*> regexes;
    bool addBos = false;
    bool ignoreMerges = false;
    bool cleanSpaces = true;
};

const std::vector<PreSpec>& preSpecs()
{
    static const std::vector<PreSpec> specs = {
        {{"default"}, {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2, R"(\p{N}+)", "[0-9][0-9][0-9]"}},
        {{"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"}, {kLlama3}, true, true, true},
        {{"dbrx", "smaug-bpe"}, {kLlama3}},
        {{"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum", "modern-bert", "exaone4", "mpt", "olmo", "jais"},
         {kGpt2}},
        {{"trillion", "granite-docling"}, {kGpt2}, false, false, false},
        {{"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2"}, {kQwen2}, false, false, false},
        {{"megrez", "stablelm2"}, {kQwen2}},
        {{"qwen35"}, {kQwen35}, false, false, false},
        {{"starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2"}, {R"(\p{N})", kGpt2}},
        {{"command-r", "smollm"}, {R"(\p{N})", kGpt2}, false, false, false},
        {{"falcon"}, {R"([\p{P}\$\+<=>\^~\|`]+)", kGpt2, "[0-9][0-9][0-9]"}},
        {{"gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"}, {kGpt4o}, false, false, false},
        {{"tekken"}, {kTekken}, true, true, false},
        {{"seed-coder"}, {kSeedCoder}, false, false, false},
        {{"bloom", "gpt3-finnish"}, {kBloom}},
        {{"poro-chat"}, {kBloom}, false, false, false},
        {{"viking"}, {kBloom, R"(\p{N})"}, false, false, false},
        {{"deepseek-coder"}, {R"([\r\n])", R"(\s?\p{L}+)", R"(\s?\p{P}+)", kCjkHangul, R"(\p{N})"}, false, false, false},
    };
    return specs;
}

// llama_vocab::impl::detokenize with clean_spaces: no space before ?!., ; " ' " -> "'";
// no space before 's 'm 're 've.
std::string cleanSpaces(const std::string& text)
{
    std::string a;
    a.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char x = text[i];
        if (i > 0 && text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',') && !a.empty()) a.pop_back();
        a += x;
    }
    std::string b;
    b.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = a[i];
        if (x == '\'' && i > 0 && i + 1 < a.size() && a[i - 1] == ' ' && a[i + 1] == ' ') {
            if (!b.empty()) b.pop_back();
            b += x;
            ++i; // drop the following space
            continue;
        }
        b += x;
    }
    std::string c;
    c.reserve(b.size());
    for (std::size_t i = 0; i < b.size(); ++i) {
        const char x = b[i];
        if (i > 0 && b[i - 1] == ' ' && x == '\'' && i + 1 < b.size()) {
            const char x1 = b[i + 1];
            const bool sm = x1 == 's' || x1 == 'm';
            const bool reve = i + 2 < b.size() && ((x1 == 'r' && b[i + 2] == 'e') || (x1 == 'v' && b[i + 2] == 'e'));
            if ((sm || reve) && !c.empty()) c.pop_back();
        }
        c += x;
    }
    return c;
}

} // namespace

Result<std::unique_ptr<GgufBpeTokenizer>> GgufBpeTokenizer::create(GgufVocab v, const std::string& file)
{
    const std::string pre = v.pre.empty() ? std::string("default") : v.pre;
    const PreSpec* spec = nullptr;
    for (const auto& s : preSpecs())
        if (std::find(s.names.begin(), s.names.end(), pre) != s.names.end()) spec = &s;
    if (!spec)
        return makeError(ErrorCode::UnsupportedFormat, file, "tokenizer.ggml.pre " + io::quotedName(pre) + " is not a pre-tokenizer we support");

    std::unique_ptr<GgufBpeTokenizer> t(new GgufBpeTokenizer());
    t->m_source = TokenizerSource::GgufGpt2;
    t->m_file = file;
    t->m_pre = pre;
    t->m_byteLevelText = true;
    t->m_cleanSpaces = spec->cleanSpaces;
    for (const char* r : spec->regexes) {
        auto re = compileTokenizerRegex(r, file);
        if (!re) return std::move(re).error();
        t->m_regexes.push_back(std::move(*re));
    }
    const auto n = static_cast<std::int32_t>(v.pieces.size());
    const auto valid = [&](std::int32_t id) { return id >= 0 && id < n ? id : -1; };
    t->m_bos = valid(v.bos);
    t->m_eos = valid(v.eos);
    t->m_unk = valid(v.unk);
    t->m_pad = valid(v.pad);
    t->m_addBos = v.addBos.value_or(spec->addBos) && t->m_bos >= 0;
    t->m_addEos = v.addEos.value_or(false) && t->m_eos >= 0;

    StringIdMap ids;
    ids.reserve(v.pieces.size());
    for (std::int32_t i = 0; i < n; ++i) ids.insert_or_assign(v.pieces[static_cast<std::size_t>(i)], i); // llama.cpp: last wins
    BpeModel::Options opt;
    opt.ignoreMerges = spec->ignoreMerges;
    t->m_model = BpeModel(std::move(ids), v.merges, opt);

    std::vector<SpecialTokenSplitter::Entry> entries;
    for (std::int32_t i = 0; i < n; ++i) {
        const TokenAttr a = v.attrs[static_cast<std::size_t>(i)];
        if (a == TokenAttr::Control || a == TokenAttr::Unknown || a == TokenAttr::UserDefined)
            entries.push_back({v.pieces[static_cast<std::size_t>(i)], i, a != TokenAttr::UserDefined});
    }
    t->m_splitter = SpecialTokenSplitter(std::move(entries), SpecialTokenSplitter::Mode::LongestFirst);
    t->m_pieces = std::move(v.pieces);
    t->m_attrs = std::move(v.attrs);
    return t;
}

std::vector<std::int32_t> GgufBpeTokenizer::encode(std::string_view input, bool addSpecial, bool parseSpecial) const
{
    std::string owned;
    std::string_view text = input;
    if (!utf8::isValid(input)) { // PCRE2 needs valid UTF-8; llama.cpp also reads bad bytes as U+FFFD
        owned = utf8::sanitize(input);
        text = owned;
    }
    std::vector<std::int32_t> out;
    out.reserve(text.size() / 3 + 2);
    if (addSpecial && m_addBos) out.push_back(m_bos);

    BpeModel::WordCache cache;
    std::vector<TextSegment> segments;
    std::vector<std::pair<std::size_t, std::size_t>> words, next, matches;
    std::string mapped;
    m_splitter.split(text, parseSpecial, segments);
    for (const TextSegment& s : segments) {
        if (s.token >= 0) {
            out.push_back(s.token);
            continue;
        }
        words.assign(1, {s.begin, s.end});
        for (const Regex& re : m_regexes) {
            next.clear();
            for (const auto& [b, e] : words) {
                re.findAll(text.substr(b, e - b), matches);
                std::size_t prev = 0;
                for (const auto& [mb, me] : matches) {
                    if (mb > prev) next.emplace_back(b + prev, b + mb);
                    next.emplace_back(b + mb, b + me);
                    prev = me;
                }
                if (b + prev < e) next.emplace_back(b + prev, e);
            }
            words.swap(next);
        }
        for (const auto& [b, e] : words) {
            mapped.clear();
            byte_level::encode(text.substr(b, e - b), mapped);
            m_model.encodeWord(mapped, out, &cache);
        }
    }
    if (addSpecial && m_addEos) out.push_back(m_eos);
    return out;
}

std::string GgufBpeTokenizer::decode(std::span<const std::int32_t> ids, bool skipSpecial) const
{
    std::string bytes;
    for (const std::int32_t id : ids) {
        if (id < 0 || id >= vocabSize()) continue;
        const auto i = static_cast<std::size_t>(id);
        switch (m_attrs[i]) {
        case TokenAttr::Control:
        case TokenAttr::Unknown:
            if (!skipSpecial) bytes += m_pieces[i];
            break;
        case TokenAttr::UserDefined: bytes += m_pieces[i]; break;
        case TokenAttr::Normal:
        case TokenAttr::Byte: byte_level::decodeToken(m_pieces[i], bytes); break;
        case TokenAttr::Unused: break; // llama.cpp prints nothing for them
        }
    }
    return m_cleanSpaces ? cleanSpaces(bytes) : bytes;
}

} // namespace condense::tokenizer
