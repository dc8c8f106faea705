#include "core/tokenizer/hf_decoder.h"

#include <nlohmann/json.hpp>

#include "core/io/error_text.h"
#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/token_types.h"
#include "core/tokenizer/tokenizer_regex.h"
#include "core/tokenizer/utf8.h"

namespace condense::tokenizer {

namespace {

using Json = nlohmann::json;

const Json& member(const Json& j, const char* key)
{
    static const Json kNull;
    if (!j.is_object()) return kNull;
    auto it = j.find(key);
    return it == j.end() ? kNull : *it;
}

std::string replaceAll(const std::string& text, const std::string& from, const std::string& to)
{
    if (from.empty() || text.find(from) == std::string::npos) return text;
    std::string out;
    std::size_t pos = 0;
    for (std::size_t m = text.find(from); m != std::string::npos; m = text.find(from, pos)) {
        out.append(text, pos, m - pos);
        out += to;
        pos = m + from.size();
    }
    out.append(text, pos);
    return out;
}

// Code points of a valid UTF-8 string as (begin, length) pairs.
std::vector<std::pair<std::size_t, std::size_t>> chars(const std::string& s)
{
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8::validLength(s, i);
        if (n == 0) n = 1;
        out.emplace_back(i, n);
        i += n;
    }
    return out;
}

} // namespace

Status HfDecoder::parseInto(const Json& j, const std::string& file, std::vector<Step>& steps)
{
    if (j.is_null()) return okStatus();
    const Json& t = member(j, "type");
    const std::string type = t.is_string() ? t.get<std::string>() : std::string();
    const auto bad = [&](const std::string& what) {
        return makeError(ErrorCode::Malformed, file, "decoder " + io::quotedName(type) + ": " + what);
    };
    Step s;
    s.kind = Kind::Fuse;
    if (type == "Sequence") {
        const Json& list = member(j, "decoders");
        if (!list.is_array()) return bad("no decoders list");
        for (const auto& d : list) CONDENSE_TRY(parseInto(d, file, steps));
        return okStatus();
    } else if (type == "ByteLevel") {
        s.kind = Kind::ByteLevel;
    } else if (type == "ByteFallback") {
        s.kind = Kind::ByteFallback;
    } else if (type == "Fuse") {
        s.kind = Kind::Fuse;
    } else if (type == "Replace") {
        const Json& pat = member(j, "pattern");
        const Json& content = member(j, "content");
        if (!content.is_string()) return bad("no content");
        s.content = content.get<std::string>();
        if (const Json& str = member(pat, "String"); str.is_string()) {
            s.kind = Kind::ReplaceString;
            s.pattern = str.get<std::string>();
        } else if (const Json& re = member(pat, "Regex"); re.is_string()) {
            s.kind = Kind::ReplaceRegex;
            auto r = compileTokenizerRegex(re.get<std::string>(), file);
            if (!r) return std::move(r).error();
            s.regex = std::move(*r);
        } else {
            return bad("pattern is neither String nor Regex");
        }
    } else if (type == "Strip") {
        s.kind = Kind::Strip;
        const Json& c = member(j, "content");
        s.content = c.is_string() ? c.get<std::string>() : " ";
        if (utf8::validLength(s.content, 0) != s.content.size()) return bad("content is not one character");
        const Json& a = member(j, "start");
        const Json& b = member(j, "stop");
        s.start = a.is_number_unsigned() ? a.get<std::size_t>() : 0;
        s.stop = b.is_number_unsigned() ? b.get<std::size_t>() : 0;
    } else if (type == "Metaspace") {
        s.kind = Kind::Metaspace;
        const Json& rep = member(j, "replacement");
        s.content = rep.is_string() ? rep.get<std::string>() : "\xE2\x96\x81";
        const Json& scheme = member(j, "prepend_scheme");
        if (scheme.is_string()) s.prependFirst = scheme.get<std::string>() != "never";
        else s.prependFirst = !member(j, "add_prefix_space").is_boolean() || member(j, "add_prefix_space").get<bool>();
    } else if (type == "BPEDecoder") {
        s.kind = Kind::BpeSuffix;
        const Json& suffix = member(j, "suffix");
        s.content = suffix.is_string() ? suffix.get<std::string>() : "</w>";
    } else {
        return makeError(ErrorCode::UnsupportedFormat, file,
                         "tokenizer.json decoder " + io::quotedName(type.empty() ? j.dump() : type) + " is not supported");
    }
    steps.push_back(std::move(s));
    return okStatus();
}

Result<HfDecoder> HfDecoder::parse(const Json& j, const std::string& file)
{
    HfDecoder d;
    d.m_none = j.is_null();
    CONDENSE_TRY(parseInto(j, file, d.m_steps));
    return d;
}

bool HfDecoder::hasByteLevel() const
{
    for (const Step& s : m_steps)
        if (s.kind == Kind::ByteLevel) return true;
    return false;
}

std::string HfDecoder::decode(std::vector<std::string> tokens) const
{
    if (m_none) {
        std::string out;
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (i) out += ' ';
            out += tokens[i];
        }
        return out;
    }
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    for (const Step& s : m_steps) {
        switch (s.kind) {
        case Kind::ByteLevel: {
            std::string bytes;
            for (const auto& t : tokens) byte_level::decodeToken(t, bytes);
            tokens.assign(1, utf8::fromUtf8Lossy(bytes));
            break;
        }
        case Kind::ByteFallback: {
            std::vector<std::string> out;
            std::string pending;
            const auto flush = [&] {
                if (pending.empty()) return;
                if (utf8::isValid(pending)) out.push_back(pending);
                else
                    for (std::size_t k = 0; k < pending.size(); ++k) out.emplace_back(utf8::kReplacement);
                pending.clear();
            };
            for (auto& t : tokens) {
                const int b = byteTokenValue(t);
                if (b >= 0) {
                    pending += static_cast<char>(b);
                } else {
                    flush();
                    out.push_back(std::move(t));
                }
            }
            flush();
            tokens = std::move(out);
            break;
        }
        case Kind::Fuse: {
            std::string all;
            for (const auto& t : tokens) all += t;
            tokens.assign(1, std::move(all));
            break;
        }
        case Kind::ReplaceString:
            for (auto& t : tokens) t = replaceAll(t, s.pattern, s.content);
            break;
        case Kind::ReplaceRegex:
            for (auto& t : tokens) {
                s.regex->findAll(t, matches);
                if (matches.empty()) continue;
                std::string out;
                std::size_t pos = 0;
                for (const auto& [b, e] : matches) {
                    out.append(t, pos, b - pos);
                    out += s.content;
                    pos = e;
                }
                out.append(t, pos);
                t = std::move(out);
            }
            break;
        case Kind::Strip:
            for (auto& t : tokens) {
                const auto cs = chars(t);
                std::size_t startCut = 0, stopCut = cs.size();
                for (std::size_t i = 0; i < s.start && i < cs.size(); ++i) {
                    if (t.compare(cs[i].first, cs[i].second, s.content) != 0) break;
                    startCut = i + 1;
                }
                for (std::size_t i = 0; i < s.stop && i < cs.size(); ++i) {
                    const std::size_t idx = cs.size() - i - 1;
                    if (t.compare(cs[idx].first, cs[idx].second, s.content) != 0) break;
                    stopCut = idx;
                }
                if (startCut >= stopCut) {
                    t.clear();
                } else {
                    const std::size_t b = cs[startCut].first;
                    const std::size_t e = stopCut < cs.size() ? cs[stopCut].first : t.size();
                    t = t.substr(b, e - b);
                }
            }
            break;
        case Kind::Metaspace:
            for (std::size_t i = 0; i < tokens.size(); ++i)
                tokens[i] = replaceAll(tokens[i], s.content, i == 0 && s.prependFirst ? std::string() : std::string(" "));
            break;
        case Kind::BpeSuffix:
            for (std::size_t i = 0; i < tokens.size(); ++i)
                tokens[i] = replaceAll(tokens[i], s.content, i + 1 == tokens.size() ? std::string() : std::string(" "));
            break;
        }
    }
    std::string out;
    for (const auto& t : tokens) out += t;
    return out;
}

} // namespace condense::tokenizer
