#include "core/tokenizer/hf_normalizer.h"

#include <nlohmann/json.hpp>

#include "core/io/error_text.h"
#include "core/tokenizer/tokenizer_regex.h"
#include "core/tokenizer/utf8.h"

namespace condense::tokenizer {

namespace {

using Json = nlohmann::json;

std::string typeOf(const Json& j)
{
    if (j.is_object()) {
        auto it = j.find("type");
        if (it != j.end() && it->is_string()) return it->get<std::string>();
    }
    return {};
}

std::string replaceAll(std::string_view text, std::string_view from, std::string_view to)
{
    std::string out;
    if (from.empty()) return std::string(text);
    out.reserve(text.size());
    std::size_t pos = 0;
    for (std::size_t m = text.find(from); m != std::string_view::npos; m = text.find(from, pos)) {
        out.append(text.substr(pos, m - pos));
        out.append(to);
        pos = m + from.size();
    }
    out.append(text.substr(pos));
    return out;
}

std::size_t lastCharStart(std::string_view s, std::size_t end)
{
    std::size_t i = end - 1;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    return i;
}

} // namespace

Status HfNormalizer::parseInto(const Json& j, const std::string& file, std::vector<Step>& steps)
{
    if (j.is_null()) return okStatus();
    const std::string type = typeOf(j);
    const auto bad = [&](const std::string& what) {
        return makeError(ErrorCode::Malformed, file, "normalizer " + io::quotedName(type) + ": " + what);
    };
    if (type == "Sequence") {
        auto it = j.find("normalizers");
        if (it == j.end() || !it->is_array()) return bad("no normalizers list");
        for (const auto& n : *it) CONDENSE_TRY(parseInto(n, file, steps));
        return okStatus();
    }
    Step s;
    s.kind = Kind::Form;
    if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD") {
        s.form = type == "NFC" ? unicode::NormalForm::NFC
                 : type == "NFD" ? unicode::NormalForm::NFD
                 : type == "NFKC" ? unicode::NormalForm::NFKC
                                  : unicode::NormalForm::NFKD;
    } else if (type == "Lowercase") {
        s.kind = Kind::Lowercase;
    } else if (type == "StripAccents") {
        s.kind = Kind::StripAccents;
    } else if (type == "Strip") {
        s.kind = Kind::Strip;
        s.left = j.value("strip_left", true);
        s.right = j.value("strip_right", true);
    } else if (type == "Prepend") {
        s.kind = Kind::Prepend;
        auto it = j.find("prepend");
        if (it == j.end() || !it->is_string()) return bad("no prepend string");
        s.content = it->get<std::string>();
    } else if (type == "Replace") {
        auto pat = j.find("pattern");
        auto content = j.find("content");
        if (pat == j.end() || !pat->is_object() || content == j.end() || !content->is_string()) return bad("pattern/content missing");
        s.content = content->get<std::string>();
        if (auto str = pat->find("String"); str != pat->end() && str->is_string()) {
            s.kind = Kind::ReplaceString;
            s.pattern = str->get<std::string>();
        } else if (auto re = pat->find("Regex"); re != pat->end() && re->is_string()) {
            s.kind = Kind::ReplaceRegex;
            auto r = compileTokenizerRegex(re->get<std::string>(), file);
            if (!r) return std::move(r).error();
            s.regex = std::move(*r);
        } else {
            return bad("pattern is neither String nor Regex");
        }
    } else {
        return makeError(ErrorCode::UnsupportedFormat, file,
                         "tokenizer.json normalizer " + io::quotedName(type.empty() ? j.dump() : type) + " is not supported");
    }
    steps.push_back(std::move(s));
    return okStatus();
}

Result<HfNormalizer> HfNormalizer::parse(const Json& j, const std::string& file)
{
    HfNormalizer n;
    CONDENSE_TRY(parseInto(j, file, n.m_steps));
    return n;
}

std::string HfNormalizer::apply(std::string_view input) const
{
    std::string text(input);
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    for (const Step& s : m_steps) {
        switch (s.kind) {
        case Kind::Form: text = unicode::normalize(text, s.form); break;
        case Kind::Lowercase: text = unicode::toLower(text); break;
        case Kind::StripAccents: text = unicode::stripMarks(text); break;
        case Kind::Strip: {
            std::size_t b = 0, e = text.size();
            if (s.left)
                while (b < e) {
                    const std::size_t n = utf8::validLength(text, b);
                    if (n == 0 || !unicode::isWhiteSpace(utf8::decodeAt(text, b, n))) break;
                    b += n;
                }
            if (s.right)
                while (e > b) {
                    const std::size_t i = lastCharStart(text, e);
                    const std::size_t n = utf8::validLength(text, i);
                    if (n == 0 || !unicode::isWhiteSpace(utf8::decodeAt(text, i, n))) break;
                    e = i;
                }
            text = text.substr(b, e - b);
            break;
        }
        case Kind::ReplaceString: text = replaceAll(text, s.pattern, s.content); break;
        case Kind::ReplaceRegex: {
            s.regex->findAll(text, matches);
            if (matches.empty()) break;
            std::string out;
            std::size_t pos = 0;
            for (const auto& [b, e] : matches) {
                out.append(text, pos, b - pos);
                out += s.content;
                pos = e;
            }
            out.append(text, pos);
            text = std::move(out);
            break;
        }
        case Kind::Prepend:
            if (!text.empty()) text.insert(0, s.content);
            break;
        }
    }
    return text;
}

} // namespace condense::tokenizer
