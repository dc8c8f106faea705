#include "core/tokenizer/hf_tokenizer.h"

#include <map>
#include <nlohmann/json.hpp>

#include "core/io/error_text.h"
#include "core/io/json_file.h"
#include "core/tokenizer/utf8.h"

namespace condense::tokenizer {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr std::int64_t kMaxVocab = std::int64_t{1} << 26;

const Json& member(const Json& j, const char* key)
{
    static const Json kNull;
    if (!j.is_object()) return kNull;
    auto it = j.find(key);
    return it == j.end() ? kNull : *it;
}

bool flag(const Json& j, const char* key, bool fallback)
{
    const Json& v = member(j, key);
    return v.is_boolean() ? v.get<bool>() : fallback;
}

// The model type of tokenizer.json's "model" (older files leave "type" out; tokenizers then
// tells the models apart by their fields).
std::string modelType(const Json& model)
{
    const Json& t = member(model, "type");
    if (t.is_string()) return t.get<std::string>();
    if (member(model, "merges").is_array()) return "BPE";
    if (member(model, "vocab").is_array()) return "Unigram";
    if (!member(model, "max_input_chars_per_word").is_null()) return "WordPiece";
    return "WordLevel";
}

// A token named in tokenizer_config.json / special_tokens_map.json: "text" or {"content": "text"}.
std::optional<std::string> tokenContent(const Json& entry)
{
    if (entry.is_string()) return entry.get<std::string>();
    const Json& c = member(entry, "content");
    if (c.is_string()) return c.get<std::string>();
    return std::nullopt;
}

// transformers PreTrainedTokenizerBase.clean_up_tokenization
std::string cleanUpTokenization(std::string s)
{
    static const std::pair<const char*, const char*> kRules[] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
        {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
    };
    for (const auto& [from, to] : kRules) {
        const std::string_view f(from), t(to);
        std::string out;
        std::size_t pos = 0;
        for (std::size_t m = s.find(f); m != std::string::npos; m = s.find(f, pos)) {
            out.append(s, pos, m - pos);
            out += t;
            pos = m + f.size();
        }
        out.append(s, pos);
        s = std::move(out);
    }
    return s;
}

struct AddedToken {
    std::int32_t id = -1;
    std::string content;
    bool special = false, normalized = true, lstrip = false, rstrip = false, singleWord = false;
};

// Post-processor tokens around a single sequence.
Status parsePostProcessor(const Json& j, const std::string& file, const StringIdMap& ids, std::vector<std::int32_t>& prefix,
                          std::vector<std::int32_t>& suffix)
{
    if (j.is_null()) return okStatus();
    const Json& t = member(j, "type");
    const std::string type = t.is_string() ? t.get<std::string>() : std::string();
    const auto bad = [&](const std::string& what) {
        return makeError(ErrorCode::Malformed, file, "post_processor " + io::quotedName(type) + ": " + what);
    };
    if (type == "Sequence") {
        const Json& list = member(j, "processors");
        if (!list.is_array()) return bad("no processors list");
        for (const auto& p : list) {
            std::vector<std::int32_t> pre, post;
            CONDENSE_TRY(parsePostProcessor(p, file, ids, pre, post));
            prefix.insert(prefix.begin(), pre.begin(), pre.end()); // a later processor wraps the earlier result
            suffix.insert(suffix.end(), post.begin(), post.end());
        }
        return okStatus();
    }
    if (type == "ByteLevel") return okStatus();
    if (type == "TemplateProcessing") {
        const Json& single = member(j, "single");
        const Json& specials = member(j, "special_tokens");
        if (!single.is_array()) return bad("no single template");
        bool seenSequence = false;
        for (const auto& item : single) {
            if (item.is_object() && item.contains("Sequence")) {
                seenSequence = true;
                continue;
            }
            const Json& st = member(item, "SpecialToken");
            const Json& name = member(st, "id");
            if (!name.is_string()) return bad("template item is neither Sequence nor SpecialToken");
            const Json& entry = member(specials, name.get<std::string>().c_str());
            const Json& list = member(entry, "ids");
            if (!list.is_array()) return bad("special token " + io::quotedName(name.get<std::string>()) + " has no ids");
            for (const auto& v : list) {
                if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() >= kMaxVocab)
                    return bad("special token id " + v.dump() + " is not a valid id");
                (seenSequence ? suffix : prefix).push_back(static_cast<std::int32_t>(v.get<std::int64_t>()));
            }
        }
        return okStatus();
    }
    if (type == "RobertaProcessing" || type == "BertProcessing") {
        const auto idOf = [&](const char* key) -> std::int32_t {
            const Json& pair = member(j, key); // ["</s>", 2]
            if (pair.is_array() && pair.size() == 2 && pair[1].is_number_integer()) {
                const auto v = pair[1].get<std::int64_t>();
                if (v >= 0 && v < kMaxVocab) return static_cast<std::int32_t>(v);
            }
            if (pair.is_array() && !pair.empty() && pair[0].is_string())
                if (auto it = ids.find(pair[0].get<std::string>()); it != ids.end()) return it->second;
            return -1;
        };
        const std::int32_t cls = idOf("cls"), sep = idOf("sep");
        if (cls < 0 || sep < 0) return bad("cls/sep tokens missing");
        prefix.push_back(cls);
        suffix.push_back(sep);
        return okStatus();
    }
    return makeError(ErrorCode::UnsupportedFormat, file,
                     "tokenizer.json post_processor " + io::quotedName(type.empty() ? j.dump() : type) + " is not supported");
}

} // namespace

Result<std::unique_ptr<HfTokenizer>> HfTokenizer::load(const fs::path& folder)
{
    const fs::path path = folder / "tokenizer.json";
    const std::string file = path.string();
    auto parsed = io::readJsonFile(path);
    if (!parsed) return std::move(parsed).error();
    const Json& j = *parsed;
    if (!j.is_object()) return makeError(ErrorCode::Malformed, file, "tokenizer.json is not a JSON object");

    const Json& model = member(j, "model");
    if (!model.is_object()) return makeError(ErrorCode::Malformed, file, "tokenizer.json has no model");
    const std::string type = modelType(model);
    if (type != "BPE")
        return makeError(ErrorCode::UnsupportedFormat, file,
                         "tokenizer.json holds a " + io::quotedName(type) + " model; only BPE tokenizers are supported");

    std::unique_ptr<HfTokenizer> t(new HfTokenizer());
    t->m_source = TokenizerSource::HfTokenizerJson;
    t->m_file = file;

    // Vocabulary of the model, then the added tokens (which may reuse or extend its ids).
    const Json& vocab = member(model, "vocab");
    if (!vocab.is_object()) return makeError(ErrorCode::Malformed, file, "model.vocab is not an object");
    StringIdMap ids;
    ids.reserve(vocab.size());
    std::int64_t maxId = -1;
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!it.value().is_number_integer()) return makeError(ErrorCode::Malformed, file, "model.vocab entry " + io::quotedName(it.key()) + " has no integer id");
        const auto id = it.value().get<std::int64_t>();
        if (id < 0 || id >= kMaxVocab) return makeError(ErrorCode::OutOfRange, file, "token id " + std::to_string(id) + " is out of range");
        ids.insert_or_assign(it.key(), static_cast<std::int32_t>(id));
        maxId = std::max(maxId, id);
    }
    std::vector<AddedToken> added;
    if (const Json& list = member(j, "added_tokens"); list.is_array()) {
        for (const auto& a : list) {
            const Json& id = member(a, "id");
            const Json& content = member(a, "content");
            if (!id.is_number_integer() || !content.is_string()) return makeError(ErrorCode::Malformed, file, "added token without id or content");
            const auto v = id.get<std::int64_t>();
            if (v < 0 || v >= kMaxVocab) return makeError(ErrorCode::OutOfRange, file, "added token id " + std::to_string(v) + " is out of range");
            AddedToken tok;
            tok.id = static_cast<std::int32_t>(v);
            tok.content = content.get<std::string>();
            tok.special = flag(a, "special", false);
            tok.normalized = flag(a, "normalized", !tok.special);
            tok.lstrip = flag(a, "lstrip", false);
            tok.rstrip = flag(a, "rstrip", false);
            tok.singleWord = flag(a, "single_word", false);
            maxId = std::max(maxId, v);
            added.push_back(std::move(tok));
        }
    }
    if (maxId < 0) return makeError(ErrorCode::Malformed, file, "empty vocabulary");

    const bool byteFallback = flag(model, "byte_fallback", false);
    t->m_pieces.assign(static_cast<std::size_t>(maxId + 1), std::string());
    t->m_attrs.assign(static_cast<std::size_t>(maxId + 1), TokenAttr::Unused); // ids no entry names
    for (const auto& [text, id] : ids) {
        t->m_pieces[static_cast<std::size_t>(id)] = text;
        t->m_attrs[static_cast<std::size_t>(id)] = byteFallback && byteTokenValue(text) >= 0 ? TokenAttr::Byte : TokenAttr::Normal;
    }
    StringIdMap allIds = ids; // model vocabulary and added tokens, for naming special tokens
    for (const auto& a : added) {
        t->m_pieces[static_cast<std::size_t>(a.id)] = a.content;
        t->m_attrs[static_cast<std::size_t>(a.id)] = a.special ? TokenAttr::Control : TokenAttr::UserDefined;
        allIds.insert_or_assign(a.content, a.id);
    }

    // BPE model.
    std::vector<std::pair<std::string, std::string>> merges;
    if (const Json& list = member(model, "merges"); list.is_array()) {
        merges.reserve(list.size());
        for (const auto& m : list) {
            if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
                merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
            } else if (m.is_string()) {
                const std::string& s = m.get_ref<const std::string&>();
                const std::size_t sp = s.find(' ');
                if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
                    return makeError(ErrorCode::Malformed, file, "merge " + io::quotedName(s) + " is not two tokens separated by a space");
                merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
            } else {
                return makeError(ErrorCode::Malformed, file, "model.merges holds an entry that is not a pair of tokens");
            }
        }
    }
    BpeModel::Options opt;
    opt.byteFallback = byteFallback;
    opt.fuseUnk = flag(model, "fuse_unk", false);
    opt.ignoreMerges = flag(model, "ignore_merges", false);
    if (const Json& p = member(model, "continuing_subword_prefix"); p.is_string()) opt.continuingSubwordPrefix = p.get<std::string>();
    if (const Json& s = member(model, "end_of_word_suffix"); s.is_string()) opt.endOfWordSuffix = s.get<std::string>();
    if (const Json& u = member(model, "unk_token"); u.is_string()) {
        if (auto it = ids.find(u.get<std::string>()); it != ids.end()) opt.unkId = it->second;
    }
    t->m_model = BpeModel(std::move(ids), merges, opt);

    // Pipeline components.
    auto normalizer = HfNormalizer::parse(member(j, "normalizer"), file);
    if (!normalizer) return std::move(normalizer).error();
    t->m_normalizer = std::move(*normalizer);
    auto pre = HfPreTokenizer::parse(member(j, "pre_tokenizer"), file);
    if (!pre) return std::move(pre).error();
    t->m_preTokenizer = std::move(*pre);
    auto decoder = HfDecoder::parse(member(j, "decoder"), file);
    if (!decoder) return std::move(decoder).error();
    t->m_decoder = std::move(*decoder);
    t->m_byteLevelText = t->m_decoder.hasByteLevel();
    CONDENSE_TRY(parsePostProcessor(member(j, "post_processor"), file, allIds, t->m_prefix, t->m_suffix));
    for (const std::int32_t id : t->m_prefix)
        if (id >= t->vocabSize()) return makeError(ErrorCode::Malformed, file, "post_processor token id " + std::to_string(id) + " is not in the vocabulary");
    for (const std::int32_t id : t->m_suffix)
        if (id >= t->vocabSize()) return makeError(ErrorCode::Malformed, file, "post_processor token id " + std::to_string(id) + " is not in the vocabulary");

    // Added-token matchers: normalized tokens are matched in their normalized spelling.
    std::vector<SpecialTokenSplitter::Entry> raw, normalized;
    for (const auto& a : added) {
        SpecialTokenSplitter::Entry e{a.content, a.id, a.special, a.lstrip, a.rstrip, a.singleWord};
        if (a.normalized) {
            e.text = t->m_normalizer.apply(a.content);
            normalized.push_back(std::move(e));
        } else {
            raw.push_back(std::move(e));
        }
    }
    t->m_rawTokens = SpecialTokenSplitter(std::move(raw), SpecialTokenSplitter::Mode::LeftmostLongest);
    t->m_normalizedTokens = SpecialTokenSplitter(std::move(normalized), SpecialTokenSplitter::Mode::LeftmostLongest);

    // Special token ids named by transformers' config files.
    auto config = io::readOptionalJsonFile(folder / "tokenizer_config.json");
    if (!config) return std::move(config).error();
    auto specialMap = io::readOptionalJsonFile(folder / "special_tokens_map.json");
    if (!specialMap) return std::move(specialMap).error();
    const auto specialId = [&](const char* key) -> std::int32_t {
        for (const auto* src : {&*config, &*specialMap}) {
            if (!src->has_value()) continue;
            const Json& entry = member(**src, key);
            if (entry.is_null()) continue;
            if (auto c = tokenContent(entry)) {
                auto it = allIds.find(*c);
                return it == allIds.end() ? -1 : it->second;
            }
        }
        return -1;
    };
    t->m_bos = specialId("bos_token");
    t->m_eos = specialId("eos_token");
    t->m_unk = specialId("unk_token");
    t->m_pad = specialId("pad_token");
    if (t->m_unk < 0) t->m_unk = opt.unkId;
    if (t->m_unk >= 0 && t->m_attrs[static_cast<std::size_t>(t->m_unk)] == TokenAttr::Control)
        t->m_attrs[static_cast<std::size_t>(t->m_unk)] = TokenAttr::Unknown;
    t->m_addBos = !t->m_prefix.empty();
    t->m_addEos = !t->m_suffix.empty();
    if (config->has_value()) t->m_cleanUpSpaces = flag(**config, "clean_up_tokenization_spaces", false);
    return t;
}

std::vector<std::int32_t> HfTokenizer::encode(std::string_view input, bool addSpecial, bool parseSpecial) const
{
    std::string owned;
    std::string_view text = input;
    if (!utf8::isValid(input)) {
        owned = utf8::sanitize(input);
        text = owned;
    }
    std::vector<std::int32_t> out;
    out.reserve(text.size() / 3 + m_prefix.size() + m_suffix.size());
    if (addSpecial) out.insert(out.end(), m_prefix.begin(), m_prefix.end());

    BpeModel::WordCache cache;
    std::vector<TextSegment> segments, inner;
    std::vector<PreToken> words;
    m_rawTokens.split(text, parseSpecial, segments);
    for (const TextSegment& s : segments) {
        if (s.token >= 0) {
            out.push_back(s.token);
            continue;
        }
        const std::string_view piece = text.substr(s.begin, s.end - s.begin);
        const std::string normalized = m_normalizer.empty() ? std::string(piece) : m_normalizer.apply(piece);
        m_normalizedTokens.split(normalized, parseSpecial, inner);
        for (const TextSegment& n : inner) {
            if (n.token >= 0) {
                out.push_back(n.token);
                continue;
            }
            words.clear();
            words.push_back(PreToken{normalized.substr(n.begin, n.end - n.begin), s.begin == 0 && n.begin == 0});
            m_preTokenizer.apply(words);
            for (const PreToken& w : words) m_model.encodeWord(w.text, out, &cache);
        }
    }
    if (addSpecial) out.insert(out.end(), m_suffix.begin(), m_suffix.end());
    return out;
}

std::string HfTokenizer::decode(std::span<const std::int32_t> ids, bool skipSpecial) const
{
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const std::int32_t id : ids) {
        if (id < 0 || id >= vocabSize()) continue;
        const auto i = static_cast<std::size_t>(id);
        if (m_pieces[i].empty()) continue; // an id no vocabulary entry names
        if (skipSpecial && isSpecial(id)) continue;
        tokens.push_back(m_pieces[i]);
    }
    std::string text = m_decoder.decode(std::move(tokens));
    if (m_cleanUpSpaces) text = cleanUpTokenization(std::move(text));
    return text;
}

} // namespace condense::tokenizer
