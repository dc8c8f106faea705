#include "core/pipeline/gguf_tokenizer.h"
#include "core/io/error_text.h"
#include "core/io/json_file.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/tokenizer/sentencepiece_model.h"

namespace condense::pipeline {

using namespace condense::io; // this file was core/io code: readers, writer and values

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// Token types (gguf-py constants.py TokenType / SentencePieceTokenTypes).
enum TokenType : std::int32_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

bool fileExists(const fs::path& p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

// Python truthiness of a JSON value (None, "", {}, [] and false are false).
bool truthy(const Json& v)
{
    if (v.is_null()) return false;
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_string()) return !v.get_ref<const std::string&>().empty();
    if (v.is_object() || v.is_array()) return !v.empty();
    if (v.is_number_integer()) return v.get<std::int64_t>() != 0;
    if (v.is_number_float()) return v.get<double>() != 0.0;
    return true;
}

const Json& member(const Json& j, const char* key)
{
    static const Json kNull;
    if (!j.is_object()) return kNull;
    auto it = j.find(key);
    return it == j.end() ? kNull : *it;
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool endsWith(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }

// conversion/base.py does_token_look_special
bool looksSpecial(std::string_view t)
{
    if (t == "<pad>" || t == "<mask>" || t == "<2mass>" || t == "[@BOS@]") return true;
    if (startsWith(t, "<|") && endsWith(t, "|>")) return true;
    if (startsWith(t, "<\xEF\xBD\x9C") && endsWith(t, "\xEF\xBD\x9C>")) return true; // <｜ ... ｜>
    if (startsWith(t, "<unused") && endsWith(t, ">")) return true;
    return false;
}

std::string replaceAll(std::string s, std::string_view from, std::string_view to)
{
    for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
    return s;
}

// "▁" (U+2581) -> " ": llama.cpp expects user-defined tokens pre-normalized.
std::string preNormalizeUserDefined(const std::string& s) { return replaceAll(s, "\xE2\x96\x81", " "); }

struct AddedToken {
    std::int64_t id = -1;
    std::string content;
    bool special = false;
    bool normalized = true;
};

std::vector<AddedToken> addedTokensOf(const Json& tokenizerJson)
{
    std::vector<AddedToken> out;
    const Json& list = member(tokenizerJson, "added_tokens");
    if (!list.is_array()) return out;
    for (const auto& t : list) {
        if (!t.is_object() || !member(t, "id").is_number_integer() || !member(t, "content").is_string()) continue;
        AddedToken a;
        a.id = t["id"].get<std::int64_t>();
        a.content = t["content"].get<std::string>();
        a.special = member(t, "special").is_boolean() && t["special"].get<bool>();
        a.normalized = !member(t, "normalized").is_boolean() || t["normalized"].get<bool>();
        out.push_back(std::move(a));
    }
    return out;
}

// The content string of a tokenizer_config token entry (string or {"content": ...}).
std::optional<std::string> tokenContent(const Json& entry)
{
    if (entry.is_string()) return entry.get<std::string>();
    if (entry.is_object() && member(entry, "content").is_string()) return entry["content"].get<std::string>();
    return std::nullopt;
}

// gguf-py SpecialVocab: merges, special token ids, add_* flags, chat template, normalizer flags.
class SpecialVocab {
public:
    // `parsed`: tokenizer.json when the caller has already read it (it can be tens of MB).
    SpecialVocab(const fs::path& dir, bool loadMerges, std::optional<std::uint64_t> nVocab, std::vector<Message>& warnings,
                 const Json* parsed = nullptr)
        : m_dir(dir), m_loadMerges(loadMerges), m_nVocab(nVocab), m_warnings(warnings), m_parsed(parsed) {}

    Status load()
    {
        CONDENSE_TRY(loadFromTokenizerJson());
        CONDENSE_TRY(loadFromConfigJson());
        if (m_loadMerges && m_merges.empty()) CONDENSE_TRY(loadMergesTxt());
        return okStatus();
    }

    void addTo(std::vector<GgufKV>& kv) const
    {
        if (!m_merges.empty()) kv.push_back({"tokenizer.ggml.merges", GgufValue::stringArray(m_merges)});
        else if (m_loadMerges) m_warnings.emplace_back(MessageCode::TokenizerNoMerges);
        static const std::map<std::string, std::string> idKeys{
            {"bos", "tokenizer.ggml.bos_token_id"}, {"eos", "tokenizer.ggml.eos_token_id"},
            {"unk", "tokenizer.ggml.unknown_token_id"}, {"sep", "tokenizer.ggml.seperator_token_id"},
            {"pad", "tokenizer.ggml.padding_token_id"}, {"mask", "tokenizer.ggml.mask_token_id"},
            {"eot", "tokenizer.ggml.eot_token_id"}, {"eom", "tokenizer.ggml.eom_token_id"}};
        for (const auto& [typ, id] : m_ids) {
            auto it = idKeys.find(typ);
            if (it == idKeys.end()) continue; // gguf-py has no handler (cls): skipped
            kv.push_back({it->second, GgufValue::u32(static_cast<std::uint32_t>(id))});
        }
        static const std::map<std::string, std::string> addKeys{
            {"bos", "tokenizer.ggml.add_bos_token"}, {"eos", "tokenizer.ggml.add_eos_token"}, {"sep", "tokenizer.ggml.add_sep_token"}};
        for (const auto& [typ, value] : m_add) {
            auto it = addKeys.find(typ);
            if (it == addKeys.end()) continue;
            kv.push_back({it->second, GgufValue::boolean(value)});
        }
        if (m_chatTemplate) addChatTemplate(kv, *m_chatTemplate);
        if (m_lowercase) kv.push_back({"tokenizer.ggml.normalizer.lowercase", GgufValue::boolean(*m_lowercase)});
        if (m_stripAccents) kv.push_back({"tokenizer.ggml.normalizer.strip_accents", GgufValue::boolean(*m_stripAccents)});
    }

    const std::vector<std::pair<std::string, std::int64_t>>& ids() const { return m_ids; }

private:
    void setAdd(const std::string& typ, bool v)
    {
        for (auto& [t, x] : m_add)
            if (t == typ) { x = v; return; }
        m_add.emplace_back(typ, v);
    }

    bool hasType(const std::string& typ) const { return std::find(m_types.begin(), m_types.end(), typ) != m_types.end(); }

    // SpecialVocab._set_special_token
    void setSpecial(const std::string& typ, const Json& tid)
    {
        if (!tid.is_number_integer()) return;
        const std::int64_t id = tid.get<std::int64_t>();
        if (id < 0) {
            // gguf-py raises here; a negative id in a config is better ignored than fatal.
            m_warnings.push_back(Message(MessageCode::TokenizerInvalidSpecialId, {}, {{"id", std::to_string(id)}, {"token_type", typ}}));
            return;
        }
        if (!m_nVocab || static_cast<std::uint64_t>(id) < *m_nVocab) {
            for (const auto& [t, x] : m_ids)
                if (t == typ) return;
            m_ids.emplace_back(typ, id);
            return;
        }
        m_warnings.push_back(Message(MessageCode::TokenizerSpecialOutOfRange, {},
                                         {{"token_type", typ}, {"id", std::to_string(id)}, {"limit", std::to_string(*m_nVocab)}}));
    }

    void parseNormalizer(const Json& n)
    {
        const Json& type = member(n, "type");
        if (!type.is_string()) return;
        const std::string t = type.get<std::string>();
        if (t == "Lowercase") m_lowercase = true;
        else if (t == "StripAccents") m_stripAccents = true;
        else if (t == "BertNormalizer") {
            if (n.contains("lowercase")) m_lowercase = n["lowercase"].is_boolean() ? std::optional<bool>(n["lowercase"].get<bool>()) : std::nullopt;
            if (n.contains("strip_accents")) m_stripAccents = n["strip_accents"].is_boolean() ? std::optional<bool>(n["strip_accents"].get<bool>()) : std::nullopt;
        } else if (t == "Sequence") {
            const Json& list = member(n, "normalizers");
            if (list.is_array())
                for (const auto& x : list) parseNormalizer(x);
        }
    }

    Status loadMergesFromJson(const Json& merges, const fs::path& file)
    {
        if (!merges.is_array() || merges.empty()) return okStatus();
        if (merges[0].is_string()) {
            for (const auto& m : merges) {
                if (!m.is_string()) return makeError(ErrorCode::Malformed, file.string(), "merges mix strings and other values");
                m_merges.push_back(m.get<std::string>());
            }
            return okStatus();
        }
        if (merges[0].is_array() && merges[0].size() == 2 && merges[0][0].is_string()) {
            // transformers >= 4.45 stores pairs; llama.cpp wants "a b" with spaces as U+0120.
            bool warned = false;
            for (const auto& m : merges) {
                if (!m.is_array() || m.size() != 2 || !m[0].is_string() || !m[1].is_string())
                    return makeError(ErrorCode::Malformed, file.string(), "a merge is not a pair of strings");
                std::string a = m[0].get<std::string>(), b = m[1].get<std::string>();
                if (!warned && (a.find(' ') != std::string::npos || b.find(' ') != std::string::npos)) {
                    m_warnings.emplace_back(MessageCode::TokenizerMergeSpaces);
                    warned = true;
                }
                m_merges.push_back(replaceAll(a, " ", "\xC4\xA0") + " " + replaceAll(b, " ", "\xC4\xA0"));
            }
            return okStatus();
        }
        return makeError(ErrorCode::Malformed, file.string(), "unknown tokenizer merges format");
    }

    Status loadMergesTxt()
    {
        const fs::path p = m_dir / "merges.txt";
        if (!fileExists(p)) return okStatus();
        auto text = readTextFile(p);
        if (!text) return std::move(text).error();
        std::istringstream in(*text);
        std::string line;
        bool first = true;
        while (std::getline(in, line)) {
            auto trim = [](std::string s) {
                const char* ws = " \t\r\n\v\f";
                const auto b = s.find_first_not_of(ws);
                if (b == std::string::npos) return std::string();
                return s.substr(b, s.find_last_not_of(ws) - b + 1);
            };
            line = trim(line);
            if (first) {
                first = false;
                if (startsWith(line, "#")) continue;
            }
            if (line.empty()) continue;
            std::istringstream parts(line);
            std::vector<std::string> ps;
            for (std::string w; parts >> w;) ps.push_back(w);
            if (ps.size() != 2) {
                m_warnings.emplace_back(MessageCode::TokenizerMalformedMerge);
                continue;
            }
            m_merges.push_back(ps[0] + " " + ps[1]);
        }
        return okStatus();
    }

    // SpecialVocab._try_load_from_tokenizer_json, including its crude TemplateProcessing parse.
    Status loadFromTokenizerJson()
    {
        const fs::path tokFile = m_dir / "tokenizer.json";
        std::optional<Json> loaded;
        const Json* tokenizer = m_parsed;
        std::vector<AddedToken> added;
        if (!tokenizer && fileExists(tokFile)) {
            auto j = readJsonFile(tokFile);
            if (!j) return std::move(j).error();
            loaded = std::move(*j);
            tokenizer = &*loaded;
        }
        if (tokenizer) {
            if (m_loadMerges) CONDENSE_TRY(loadMergesFromJson(member(member(*tokenizer, "model"), "merges"), tokFile));
            if (truthy(member(*tokenizer, "normalizer"))) parseNormalizer(member(*tokenizer, "normalizer"));
            added = addedTokensOf(*tokenizer);
        }
        auto tcr = readOptionalJsonFile(m_dir / "tokenizer_config.json");
        if (!tcr) return std::move(tcr).error();
        std::optional<Json> tc = std::move(*tcr);
        const auto tcTruthy = [&] { return tc && truthy(*tc); };
        const auto tcGet = [&](const char* k) -> Json { return tc ? member(*tc, k) : Json(); };

        if (tokenizer) {
            Json specialBos = tcGet("bos_token"), specialCls = tcGet("cls_token");
            Json specialEos = tcGet("eos_token"), specialSep = tcGet("sep_token");
            if (!truthy(specialBos) && truthy(specialCls) && tcTruthy()) (*tc)["bos_token"] = specialBos = specialCls;
            if (!truthy(specialEos) && truthy(specialSep) && tcTruthy()) (*tc)["eos_token"] = specialEos = specialSep;
            const Json& pp = member(*tokenizer, "post_processor");
            if (truthy(pp)) {
                std::vector<Json> processors;
                if (member(pp, "processors").is_array()) for (const auto& p : pp["processors"]) processors.push_back(p);
                else processors.push_back(pp);
                for (const auto& proc : processors) {
                    const Json& type = member(proc, "type");
                    if (type == "RobertaProcessing") {
                        setAdd("bos", true);
                        setAdd("eos", true);
                        setAdd("sep", true);
                        if (!truthy(specialCls) && tcTruthy()) {
                            const Json& cls = member(proc, "cls");
                            specialCls = cls.is_array() && !cls.empty() ? cls[0] : specialBos;
                            (*tc)["cls_token"] = specialCls;
                        }
                        if (!truthy(specialSep) && tcTruthy()) {
                            const Json& sep = member(proc, "sep");
                            specialSep = sep.is_array() && !sep.empty() ? sep[0] : specialEos;
                            (*tc)["sep_token"] = specialSep;
                        }
                        continue;
                    }
                    if (type != "TemplateProcessing") continue;
                    const Json& single = member(proc, "single");
                    Json pair = member(proc, "pair");
                    const auto specialId = [](const Json& item) -> Json { return member(member(item, "SpecialToken"), "id"); };
                    const auto seqId = [](const Json& item) -> Json { return member(member(item, "Sequence"), "id"); };
                    Json first, last;
                    if (single.is_array() && single.size() > 1) {
                        first = specialId(single.front());
                        if (truthy(first)) {
                            if (!tcTruthy()) specialBos = first;
                            else if (first != specialBos && first != specialCls) {
                                if (!truthy(specialBos)) (*tc)["bos_token"] = specialBos = first;
                                if (!truthy(specialCls)) (*tc)["cls_token"] = specialCls = first;
                            }
                            setAdd("bos", first == specialBos || first == specialCls);
                        }
                        last = specialId(single.back());
                        if (truthy(last)) {
                            if (!tcTruthy()) specialEos = last;
                            else if (last != specialEos) {
                                if (!hasType("eot")) {
                                    m_types.push_back("eot");
                                    (*tc)["eot_token"] = specialEos;
                                } else if (!hasType("eom")) {
                                    m_types.push_back("eom");
                                    (*tc)["eom_token"] = specialEos;
                                }
                                (*tc)["eos_token"] = specialEos = last;
                            }
                            setAdd("eos", last == specialEos);
                        }
                    }
                    if (pair.is_array() && !pair.empty()) {
                        std::size_t start = (truthy(first) && specialId(pair.front()) == first) ? 1 : 0;
                        std::size_t stop = pair.size();
                        if (truthy(last) && specialId(pair.back()) == last) stop = pair.size() - 1;
                        std::vector<Json> tp;
                        for (std::size_t k = start; k < stop && k < pair.size(); ++k) tp.push_back(pair[k]);
                        if (!tp.empty()) {
                            const Json a = seqId(tp.front()), b = seqId(tp.back());
                            if (a == "A" && b == "B" && tp.size() > 2) {
                                std::vector<Json> mid(tp.begin() + 1, tp.end() - 1);
                                bool addSep = false;
                                const Json e0 = specialId(mid[0]);
                                // (gguf-py also logs "unknown separator token" here; it changes nothing in the file)
                                if (truthy(e0) && (e0 == specialSep || e0 == specialEos) && !truthy(last)) addSep = true;
                                if (mid.size() == 2) {
                                    const Json e1 = specialId(mid[1]);
                                    if (truthy(e1) && (e1 == specialSep || e1 == specialEos)) addSep = true;
                                }
                                setAdd("sep", addSep);
                                if (addSep && !truthy(specialSep) && tcTruthy()) (*tc)["sep_token"] = specialEos;
                            }
                        }
                    }
                }
            }
        }
        if (!tcTruthy()) return okStatus();

        // Chat template: tokenizer_config.json's own, else chat_template.jinja / .json.
        std::optional<Json> alt;
        const fs::path jinja = m_dir / "chat_template.jinja";
        const fs::path ctJson = m_dir / "chat_template.json";
        if (fileExists(jinja)) {
            auto t = readTextFile(jinja);
            if (!t) return std::move(t).error();
            alt = Json(*t);
            std::vector<fs::path> extra;
            std::error_code ec;
            const fs::path addDir = m_dir / "additional_chat_templates";
            if (fs::is_directory(addDir, ec))
                for (const auto& de : fs::directory_iterator(addDir, ec))
                    if (de.path().extension() == ".jinja") extra.push_back(de.path());
            std::sort(extra.begin(), extra.end());
            if (!extra.empty()) {
                Json list = Json::array();
                list.push_back({{"name", "default"}, {"template", *t}});
                for (const auto& p : extra) {
                    auto x = readTextFile(p);
                    if (!x) return std::move(x).error();
                    list.push_back({{"name", p.stem().string()}, {"template", *x}});
                }
                alt = std::move(list);
            }
        } else if (fileExists(ctJson)) {
            auto j = readJsonFile(ctJson);
            if (!j) return std::move(j).error();
            alt = member(*j, "chat_template");
        }
        Json chat = tc->contains("chat_template") ? (*tc)["chat_template"] : (alt ? *alt : Json());
        if (chat.is_string() || chat.is_array()) m_chatTemplate = chat;
        else if (!chat.is_null()) m_warnings.emplace_back(MessageCode::TokenizerBadChatTemplate);

        for (const auto& typ : m_types) {
            const Json& addEntry = member(*tc, ("add_" + typ + "_token").c_str());
            if (addEntry.is_boolean()) setAdd(typ, addEntry.get<bool>());
            const auto content = tokenContent(member(*tc, (typ + "_token").c_str()));
            if (!content) continue;
            Json id;
            for (const auto& a : added)
                if (a.content == *content) { id = a.id; break; }
            setSpecial(typ, id);
        }
        return okStatus();
    }

    Status loadFromConfigJson()
    {
        auto cfg = readOptionalJsonFile(m_dir / "config.json");
        if (!cfg) return std::move(cfg).error();
        if (!*cfg) return okStatus();
        const Json& c = **cfg;
        for (const auto& typ : m_types) {
            const std::string key = typ + "_token_id";
            Json id = member(c, key.c_str());
            if (id.is_null() && c.is_object() && c.contains("text_config")) id = member(c["text_config"], key.c_str());
            setSpecial(typ, id);
        }
        return okStatus();
    }

    // GGUFWriter.add_chat_template: a string, or a list of {name, template} (named templates
    // get their own keys; "default" becomes tokenizer.chat_template).
    static void addChatTemplate(std::vector<GgufKV>& kv, const Json& value)
    {
        if (value.is_string()) {
            if (!value.get_ref<const std::string&>().empty()) kv.push_back({"tokenizer.chat_template", GgufValue::string(value.get<std::string>())});
            return;
        }
        std::optional<std::string> def;
        std::set<std::string> names; // gguf-py uses a set (unordered); we sort for determinism
        for (const auto& choice : value) {
            std::string name = member(choice, "name").is_string() ? choice["name"].get<std::string>() : std::string();
            for (char& ch : name)
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) ch = '_';
            const Json& tmpl = member(choice, "template");
            if (name.empty() || !tmpl.is_string()) continue;
            if (name == "default") def = tmpl.get<std::string>();
            else {
                names.insert(name);
                kv.push_back({"tokenizer.chat_template." + name, GgufValue::string(tmpl.get<std::string>())});
            }
        }
        if (!names.empty()) kv.push_back({"tokenizer.chat_templates", GgufValue::stringArray({names.begin(), names.end()})});
        if (def && !def->empty()) kv.push_back({"tokenizer.chat_template", GgufValue::string(*def)});
    }

    fs::path m_dir;
    bool m_loadMerges;
    std::optional<std::uint64_t> m_nVocab;
    std::vector<Message>& m_warnings;
    const Json* m_parsed = nullptr;
    std::vector<std::string> m_types{"bos", "eos", "unk", "sep", "pad", "cls", "mask"};
    std::vector<std::string> m_merges;
    std::vector<std::pair<std::string, std::int64_t>> m_ids;
    std::vector<std::pair<std::string, bool>> m_add;
    std::optional<Json> m_chatTemplate;
    std::optional<bool> m_lowercase;
    std::optional<bool> m_stripAccents;
};

// The pre-tokenizer regexes llama.cpp knows (src/llama-vocab.cpp, "original regex from
// tokenizer.json"), as they appear in tokenizer.json once JSON-decoded.
struct KnownPre {
    const char* name;
    const char* regex;
};
constexpr KnownPre kKnownPre[] = {
    {"qwen2", R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"},
    {"llama-bpe", R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"},
    {"qwen35", R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"},
    {"gpt-4o", R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)"},
    {"tekken", R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)"},
};

// tokenizer.ggml.pre from tokenizer.json's pre_tokenizer; empty when not recognized.
std::string recognizePreTokenizer(const Json& pre)
{
    const Json& type = member(pre, "type");
    if (type == "ByteLevel") {
        const Json& useRegex = member(pre, "use_regex");
        if (useRegex.is_null() || (useRegex.is_boolean() && useRegex.get<bool>())) return "gpt-2";
        return {};
    }
    if (type != "Sequence") return {};
    const Json& list = member(pre, "pretokenizers");
    if (!list.is_array() || list.size() != 2) return {};
    const Json& split = list[0];
    const Json& bl = list[1];
    if (member(split, "type") != "Split" || member(bl, "type") != "ByteLevel") return {};
    if (member(bl, "use_regex").is_boolean() && bl["use_regex"].get<bool>()) return {};
    if (member(split, "invert").is_boolean() && split["invert"].get<bool>()) return {};
    const Json& behavior = member(split, "behavior");
    if (!behavior.is_null() && behavior != "Isolated") return {};
    const Json& regex = member(member(split, "pattern"), "Regex");
    if (!regex.is_string()) return {};
    const std::string& r = regex.get_ref<const std::string&>();
    for (const auto& k : kKnownPre)
        if (r == k.regex) return k.name;
    return {};
}

Result<std::optional<std::uint64_t>> configVocabSize(const fs::path& dir)
{
    auto cfg = readOptionalJsonFile(dir / "config.json");
    if (!cfg) return std::move(cfg).error();
    if (!*cfg) return std::optional<std::uint64_t>{};
    Json c = **cfg;
    if (c.contains("text_config") && c["text_config"].is_object())
        for (auto it = c["text_config"].begin(); it != c["text_config"].end(); ++it) c[it.key()] = it.value();
    for (const char* k : {"vocab_size_per_layer_input", "vocab_size"}) {
        const Json& v = member(c, k);
        if (v.is_number_integer() && v.get<std::int64_t>() > 0) return std::optional<std::uint64_t>(v.get<std::uint64_t>());
    }
    return std::optional<std::uint64_t>{};
}

struct Vocab {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<std::int32_t> types;
};

// conversion/base.py _create_vocab_sentencepiece
Result<Vocab> sentencePieceVocab(const fs::path& dir, std::optional<std::uint64_t> cfgVocab, std::vector<Message>& warnings)
{
    auto sp = tokenizer::readSentencePieceModel(dir / "tokenizer.model");
    if (!sp) return std::move(sp).error();
    const std::uint64_t n = cfgVocab.value_or(sp->pieces.size());
    if (n > (1u << 26)) return makeError(ErrorCode::OutOfRange, (dir / "config.json").string(), "vocab_size " + std::to_string(n) + " is implausibly large");
    Vocab v;
    v.tokens.resize(n);
    for (std::uint64_t i = 0; i < n; ++i) v.tokens[i] = "[PAD" + std::to_string(i) + "]";
    v.scores.assign(n, -10000.0f);
    v.types.assign(n, Unused);
    for (std::size_t id = 0; id < sp->pieces.size(); ++id) {
        if (id >= n) {
            warnings.push_back(Message(MessageCode::TokenizerTokensOutOfRange, {}, {{"id", std::to_string(id)}, {"max", std::to_string(n - 1)}}));
            break;
        }
        const auto& p = sp->pieces[id];
        std::int32_t t = Normal; // USER_DEFINED pieces stay NORMAL, as the converter's checks leave them
        switch (p.type) {
        case tokenizer::SpPieceType::Unknown: t = Unknown; break;
        case tokenizer::SpPieceType::Control: t = Control; break;
        case tokenizer::SpPieceType::Unused: t = Unused; break;
        case tokenizer::SpPieceType::Byte: t = Byte; break;
        default: break;
        }
        v.tokens[id] = p.piece;
        v.scores[id] = p.score;
        v.types[id] = t;
    }

    auto added = readOptionalJsonFile(dir / "added_tokens.json");
    if (!added) return std::move(added).error();
    if (*added && (*added)->is_object())
        for (auto it = (*added)->begin(); it != (*added)->end(); ++it) {
            if (!it.value().is_number_integer()) continue;
            const std::int64_t id = it.value().get<std::int64_t>();
            if (id < 0 || static_cast<std::uint64_t>(id) >= n) {
                warnings.push_back(Message(MessageCode::TokenizerAddedTokenOutOfRange, {}, {{"id", std::to_string(id)}}));
                continue;
            }
            v.tokens[static_cast<std::size_t>(id)] = it.key();
            v.scores[static_cast<std::size_t>(id)] = -1000.0f;
            v.types[static_cast<std::size_t>(id)] = UserDefined;
        }

    auto tc = readOptionalJsonFile(dir / "tokenizer_config.json");
    if (!tc) return std::move(tc).error();
    if (*tc) {
        const Json& dec = member(**tc, "added_tokens_decoder");
        if (dec.is_object())
            for (auto it = dec.begin(); it != dec.end(); ++it) {
                std::int64_t id = -1;
                try {
                    std::size_t used = 0;
                    id = std::stoll(it.key(), &used);
                    if (used != it.key().size()) id = -1;
                } catch (...) {
                    id = -1;
                }
                const Json& data = it.value();
                if (id < 0 || !member(data, "content").is_string()) continue;
                if (static_cast<std::uint64_t>(id) >= n) {
                    warnings.push_back(Message(MessageCode::TokenizerAddedTokenOutOfRange, {}, {{"id", std::to_string(id)}}));
                    continue;
                }
                std::string token = data["content"].get<std::string>();
                const auto i = static_cast<std::size_t>(id);
                if (truthy(member(data, "special")) || looksSpecial(token)) {
                    v.types[i] = Control;
                } else {
                    token = preNormalizeUserDefined(token);
                    v.types[i] = UserDefined;
                }
                v.scores[i] = -1000.0f;
                v.tokens[i] = std::move(token);
            }
    }
    return v;
}

// gguf-py vocab.py LlamaHfVocab: a SentencePiece-style BPE in tokenizer.json (byte_fallback).
// Returns nullopt when tokenizer.json is not of that kind (the converter moves on to gpt2).
Result<std::optional<Vocab>> llamaHfVocab(const fs::path& dir, const Json& tok)
{
    const Json& model = member(tok, "model");
    const bool isBpe = member(model, "type") == "BPE";
    const bool byteFallback = member(model, "byte_fallback").is_boolean() && model["byte_fallback"].get<bool>();
    if (!isBpe || !byteFallback || member(member(tok, "decoder"), "type") != "Sequence") return std::optional<Vocab>{};
    const Json& vocab = member(model, "vocab");
    if (!vocab.is_object()) return makeError(ErrorCode::Malformed, (dir / "tokenizer.json").string(), "model.vocab is not an object");

    std::unordered_map<std::int64_t, std::string> reverse;
    std::unordered_map<std::string, std::int64_t> byText;
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!it.value().is_number_integer()) continue;
        reverse[it.value().get<std::int64_t>()] = it.key();
        byText[it.key()] = it.value().get<std::int64_t>();
    }
    const auto base = static_cast<std::int64_t>(vocab.size());
    const auto added = addedTokensOf(tok);
    for (const auto& a : added) {
        reverse[a.id] = a.content;
        byText[a.content] = a.id;
    }

    // all_special_tokens: the named special tokens plus the additional/extra ones.
    std::set<std::int64_t> specialIds;
    std::map<std::string, std::int64_t> specials;
    const auto addSpecial = [&](const Json& entry) {
        const auto c = tokenContent(entry);
        if (!c) return;
        auto it = byText.find(*c);
        if (it == byText.end()) return;
        specials[*c] = it->second;
        specialIds.insert(it->second);
    };
    for (const char* file : {"tokenizer_config.json", "special_tokens_map.json"}) {
        auto j = readOptionalJsonFile(dir / file);
        if (!j) return std::move(j).error();
        if (!*j) continue;
        for (const char* k : {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"})
            addSpecial(member(**j, k));
        for (const char* k : {"additional_special_tokens", "extra_special_tokens"}) {
            const Json& list = member(**j, k);
            if (list.is_array())
                for (const auto& e : list) addSpecial(e);
        }
    }

    Vocab v;
    const auto typeOf = [&](std::int64_t id, const std::string& text) {
        if (text.size() == 6 && startsWith(text, "<0x") && text[5] == '>' && std::isxdigit(static_cast<unsigned char>(text[3])) &&
            std::isxdigit(static_cast<unsigned char>(text[4])))
            return static_cast<std::int32_t>(Byte);
        return static_cast<std::int32_t>(specialIds.count(id) ? Control : Normal);
    };
    for (std::int64_t id = 0; id < base; ++id) {
        auto it = reverse.find(id);
        if (it == reverse.end())
            return makeError(ErrorCode::Malformed, (dir / "tokenizer.json").string(), "vocabulary has no token with id " + std::to_string(id));
        v.tokens.push_back(it->second);
        v.scores.push_back(-1000.0f);
        v.types.push_back(typeOf(id, it->second));
    }
    std::vector<AddedToken> extra;
    for (const auto& a : added)
        if (a.id >= base) extra.push_back(a);
    std::sort(extra.begin(), extra.end(), [](const AddedToken& x, const AddedToken& y) { return x.id < y.id; });
    for (const auto& a : extra) {
        v.tokens.push_back(a.content);
        v.scores.push_back(-1000.0f);
        v.types.push_back(specials.count(a.content) ? Control : UserDefined);
    }
    return std::optional<Vocab>(std::move(v));
}

// conversion/base.py get_vocab_base (byte-level BPE tokens and types) for tokenizer.json.
Result<Vocab> gpt2Vocab(const fs::path& dir, const Json& tok, std::optional<std::uint64_t> cfgVocab)
{
    const fs::path file = dir / "tokenizer.json";
    const Json& model = member(tok, "model");
    if (member(model, "type") != "BPE")
        return makeError(ErrorCode::MissingTokenizer, file.string(), "tokenizer.json holds a " + member(model, "type").dump() + " model; only BPE vocabularies can be converted");
    const Json& vocab = member(model, "vocab");
    if (!vocab.is_object()) return makeError(ErrorCode::Malformed, file.string(), "model.vocab is not an object");
    std::map<std::int64_t, std::string> byId;
    for (auto it = vocab.begin(); it != vocab.end(); ++it)
        if (it.value().is_number_integer()) byId[it.value().get<std::int64_t>()] = it.key();
    // Added tokens, also those only named in tokenizer_config.json (transformers adds both).
    std::map<std::string, AddedToken> addedByText;
    for (const auto& a : addedTokensOf(tok)) {
        byId[a.id] = a.content;
        addedByText[a.content] = a;
    }
    auto tc = readOptionalJsonFile(dir / "tokenizer_config.json");
    if (!tc) return std::move(tc).error();
    if (*tc) {
        const Json& dec = member(**tc, "added_tokens_decoder");
        if (dec.is_object())
            for (auto it = dec.begin(); it != dec.end(); ++it) {
                const Json& d = it.value();
                if (!member(d, "content").is_string()) continue;
                std::int64_t id = -1;
                try { id = std::stoll(it.key()); } catch (...) { continue; }
                AddedToken a;
                a.id = id;
                a.content = d["content"].get<std::string>();
                a.special = truthy(member(d, "special"));
                a.normalized = !member(d, "normalized").is_boolean() || d["normalized"].get<bool>();
                if (addedByText.count(a.content)) continue;
                byId[id] = a.content;
                addedByText[a.content] = a;
            }
    }
    if (byId.empty()) return makeError(ErrorCode::Malformed, file.string(), "empty vocabulary");
    if (byId.begin()->first < 0) return makeError(ErrorCode::Malformed, file.string(), "negative token id");
    const std::uint64_t n = cfgVocab.value_or(static_cast<std::uint64_t>(byId.rbegin()->first) + 1);
    if (static_cast<std::uint64_t>(byId.rbegin()->first) >= n)
        return makeError(ErrorCode::Malformed, file.string(), "token id " + std::to_string(byId.rbegin()->first) + " is not below the model's vocab_size " + std::to_string(n));
    if (n > (1u << 26)) return makeError(ErrorCode::OutOfRange, file.string(), "vocabulary of " + std::to_string(n) + " tokens is implausibly large");
    Vocab v;
    v.tokens.reserve(n);
    v.types.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) {
        auto it = byId.find(static_cast<std::int64_t>(i));
        if (it == byId.end()) {
            v.tokens.push_back("[PAD" + std::to_string(i) + "]");
            v.types.push_back(Unused);
            continue;
        }
        std::string token = it->second;
        auto a = addedByText.find(token);
        if (a != addedByText.end()) {
            // The converter re-decodes non-normalized added tokens through the HF tokenizer;
            // for the byte-level vocabularies we handle that round trip is the identity.
            if (a->second.special || looksSpecial(token)) v.types.push_back(Control);
            else {
                token = preNormalizeUserDefined(token);
                v.types.push_back(UserDefined);
            }
        } else {
            v.types.push_back(Normal);
        }
        v.tokens.push_back(std::move(token));
    }
    return v;
}

} // namespace

Result<GgufTokenizerMetadata> buildGgufTokenizer(const fs::path& folder, arch::Family family)
{
    GgufTokenizerMetadata out;
    auto cfgVocab = configVocabSize(folder);
    if (!cfgVocab) return std::move(cfgVocab).error();
    const bool llamaFamily = family == arch::Family::Llama || family == arch::Family::Mistral;
    const fs::path spFile = folder / "tokenizer.model";
    const fs::path tjFile = folder / "tokenizer.json";

    // LlamaModel.set_vocab: add_prefix_space from tokenizer_config.json comes first.
    if (llamaFamily) {
        auto tc = readOptionalJsonFile(folder / "tokenizer_config.json");
        if (!tc) return std::move(tc).error();
        if (*tc) {
            const Json& aps = member(**tc, "add_prefix_space");
            if (aps.is_boolean()) out.kv.push_back({"tokenizer.ggml.add_space_prefix", GgufValue::boolean(aps.get<bool>())});
        }
    }

    const auto emitLlama = [&](Vocab v) -> Status {
        out.model = "llama";
        const std::uint64_t n = v.tokens.size();
        out.kv.push_back({"tokenizer.ggml.model", GgufValue::string("llama")});
        out.kv.push_back({"tokenizer.ggml.pre", GgufValue::string("default")});
        out.kv.push_back({"tokenizer.ggml.tokens", GgufValue::stringArray(std::move(v.tokens))});
        out.kv.push_back({"tokenizer.ggml.scores", GgufValue::f32Array(v.scores)});
        out.kv.push_back({"tokenizer.ggml.token_type", GgufValue::i32Array(v.types)});
        SpecialVocab sv(folder, false, n, out.warnings);
        CONDENSE_TRY(sv.load());
        sv.addTo(out.kv);
        return okStatus();
    };

    if (fileExists(spFile)) {
        auto v = sentencePieceVocab(folder, *cfgVocab, out.warnings);
        if (!v) return std::move(v).error();
        CONDENSE_TRY(emitLlama(std::move(*v)));
    } else {
        if (!fileExists(tjFile))
            return makeError(ErrorCode::MissingTokenizer, folder.string(),
                             "no tokenizer.model or tokenizer.json; llama.cpp cannot load a GGUF without a vocabulary");
        auto tj = readJsonFile(tjFile);
        if (!tj) return std::move(tj).error();
        bool done = false;
        if (llamaFamily) {
            auto hf = llamaHfVocab(folder, *tj);
            if (!hf) return std::move(hf).error();
            if (*hf) {
                CONDENSE_TRY(emitLlama(std::move(**hf)));
                done = true;
            }
        }
        if (!done) {
            auto v = gpt2Vocab(folder, *tj, *cfgVocab);
            if (!v) {
                Error e = std::move(v).error();
                if (e.code == ErrorCode::MissingTokenizer) e.file = folder.string();
                return e;
            }
            std::string pre = recognizePreTokenizer(member(*tj, "pre_tokenizer"));
            if (pre.empty()) {
                out.warnings.emplace_back(MessageCode::TokenizerUnknownPreTokenizer);
                pre = "default";
            }
            out.model = "gpt2";
            out.kv.push_back({"tokenizer.ggml.model", GgufValue::string("gpt2")});
            out.kv.push_back({"tokenizer.ggml.pre", GgufValue::string(pre)});
            out.kv.push_back({"tokenizer.ggml.tokens", GgufValue::stringArray(std::move(v->tokens))});
            out.kv.push_back({"tokenizer.ggml.token_type", GgufValue::i32Array(v->types)});
            SpecialVocab sv(folder, true, std::nullopt, out.warnings, &*tj);
            CONDENSE_TRY(sv.load());
            sv.addTo(out.kv);
        }
    }

    // LlamaModel.set_vocab: SmolLM/Granite-small vocabularies (49152) never add BOS.
    if (llamaFamily && cfgVocab->value_or(32000) == 49152) {
        bool replaced = false;
        for (auto& kv : out.kv)
            if (kv.key == "tokenizer.ggml.add_bos_token") { kv.value = GgufValue::boolean(false); replaced = true; }
        if (!replaced) out.kv.push_back({"tokenizer.ggml.add_bos_token", GgufValue::boolean(false)});
    }
    return out;
}

} // namespace condense::pipeline
