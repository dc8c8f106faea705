#include "core/tokenizer/hf_pre_tokenizer.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/io/error_text.h"
#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/tokenizer_regex.h"

namespace condense::tokenizer {

namespace {

using Json = nlohmann::json;

// tokenizers/src/pre_tokenizers/byte_level.rs
constexpr const char* kGpt2Regex = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
// char::is_ascii_punctuation() || is_punctuation (general category P*)
constexpr const char* kPunctuationRegex = R"([\p{P}\x{21}-\x{2F}\x{3A}-\x{40}\x{5B}-\x{60}\x{7B}-\x{7E}])";

std::string typeOf(const Json& j)
{
    if (j.is_object()) {
        auto it = j.find("type");
        if (it != j.end() && it->is_string()) return it->get<std::string>();
    }
    return {};
}

std::optional<HfPreTokenizer::Behavior> behaviorOf(const Json& j, HfPreTokenizer::Behavior fallback)
{
    using B = HfPreTokenizer::Behavior;
    if (j.is_null()) return fallback;
    if (!j.is_string()) return std::nullopt;
    const std::string s = j.get<std::string>();
    if (s == "Removed") return B::Removed;
    if (s == "Isolated") return B::Isolated;
    if (s == "MergedWithPrevious") return B::MergedWithPrevious;
    if (s == "MergedWithNext") return B::MergedWithNext;
    if (s == "Contiguous") return B::Contiguous;
    return std::nullopt;
}

const Json& member(const Json& j, const char* key)
{
    static const Json kNull;
    if (!j.is_object()) return kNull;
    auto it = j.find(key);
    return it == j.end() ? kNull : *it;
}

struct Range {
    std::size_t b, e;
    bool match;
};

} // namespace

Status HfPreTokenizer::parseInto(const Json& j, const std::string& file, std::vector<Step>& steps)
{
    if (j.is_null()) return okStatus();
    const std::string type = typeOf(j);
    const auto bad = [&](const std::string& what) {
        return makeError(ErrorCode::Malformed, file, "pre_tokenizer " + io::quotedName(type) + ": " + what);
    };
    const auto compile = [&](const std::string& pattern, Step& s) -> Status {
        auto r = compileTokenizerRegex(pattern, file);
        if (!r) return std::move(r).error();
        s.regex = std::move(*r);
        return okStatus();
    };
    Step s;
    if (type == "Sequence") {
        const Json& list = member(j, "pretokenizers");
        if (!list.is_array()) return bad("no pretokenizers list");
        for (const auto& p : list) CONDENSE_TRY(parseInto(p, file, steps));
        return okStatus();
    } else if (type == "Split") {
        const Json& pat = member(j, "pattern");
        if (const Json& str = member(pat, "String"); str.is_string()) {
            s.literal = str.get<std::string>();
            if (s.literal.empty()) return bad("empty String pattern");
        } else if (const Json& re = member(pat, "Regex"); re.is_string()) {
            CONDENSE_TRY(compile(re.get<std::string>(), s));
        } else {
            return bad("pattern is neither String nor Regex");
        }
        const auto b = behaviorOf(member(j, "behavior"), Behavior::Isolated);
        if (!b) return bad("unknown behavior " + member(j, "behavior").dump());
        s.behavior = *b;
        s.invert = member(j, "invert").is_boolean() && member(j, "invert").get<bool>();
    } else if (type == "ByteLevel") {
        s.kind = Kind::ByteLevel;
        s.addPrefixSpace = !member(j, "add_prefix_space").is_boolean() || member(j, "add_prefix_space").get<bool>();
        const bool useRegex = !member(j, "use_regex").is_boolean() || member(j, "use_regex").get<bool>();
        if (useRegex) CONDENSE_TRY(compile(kGpt2Regex, s));
    } else if (type == "Metaspace") {
        s.kind = Kind::Metaspace;
        const Json& rep = member(j, "replacement");
        s.replacement = rep.is_string() ? rep.get<std::string>() : "\xE2\x96\x81";
        if (s.replacement.empty()) return bad("empty replacement");
        const Json& scheme = member(j, "prepend_scheme");
        if (scheme.is_string()) {
            const std::string p = scheme.get<std::string>();
            if (p == "always") s.prepend = Prepend::Always;
            else if (p == "first") s.prepend = Prepend::First;
            else if (p == "never") s.prepend = Prepend::Never;
            else return bad("unknown prepend_scheme " + io::quotedName(p));
        } else {
            // Files older than prepend_scheme: add_prefix_space true means "always".
            const Json& aps = member(j, "add_prefix_space");
            s.prepend = (!aps.is_boolean() || aps.get<bool>()) ? Prepend::Always : Prepend::Never;
        }
        s.split = !member(j, "split").is_boolean() || member(j, "split").get<bool>();
        s.literal = s.replacement;
        s.behavior = Behavior::MergedWithNext;
    } else if (type == "Digits") {
        CONDENSE_TRY(compile(R"(\p{N})", s));
        const bool individual = member(j, "individual_digits").is_boolean() && member(j, "individual_digits").get<bool>();
        s.behavior = individual ? Behavior::Isolated : Behavior::Contiguous;
    } else if (type == "Whitespace") {
        CONDENSE_TRY(compile(R"(\w+|[^\w\s]+)", s));
        s.behavior = Behavior::Removed;
        s.invert = true;
    } else if (type == "WhitespaceSplit") {
        CONDENSE_TRY(compile(R"(\s)", s));
        s.behavior = Behavior::Removed;
    } else if (type == "Punctuation") {
        CONDENSE_TRY(compile(kPunctuationRegex, s));
        const auto b = behaviorOf(member(j, "behavior"), Behavior::Isolated);
        if (!b) return bad("unknown behavior " + member(j, "behavior").dump());
        s.behavior = *b;
    } else if (type == "CharDelimiterSplit") {
        const Json& d = member(j, "delimiter");
        if (!d.is_string() || d.get<std::string>().empty()) return bad("no delimiter");
        s.literal = d.get<std::string>();
        s.behavior = Behavior::Removed;
    } else {
        return makeError(ErrorCode::UnsupportedFormat, file,
                         "tokenizer.json pre_tokenizer " + io::quotedName(type.empty() ? j.dump() : type) + " is not supported");
    }
    steps.push_back(std::move(s));
    return okStatus();
}

Result<HfPreTokenizer> HfPreTokenizer::parse(const Json& j, const std::string& file)
{
    HfPreTokenizer p;
    CONDENSE_TRY(parseInto(j, file, p.m_steps));
    return p;
}

void HfPreTokenizer::splitWords(const Step& s, std::vector<PreToken>& words)
{
    std::vector<PreToken> out;
    out.reserve(words.size());
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    std::vector<Range> ranges;
    std::vector<std::pair<std::size_t, std::size_t>> keep;
    for (PreToken& w : words) {
        const std::string& t = w.text;
        matches.clear();
        if (s.regex) {
            s.regex->findAll(t, matches);
        } else {
            for (std::size_t m = t.find(s.literal); m != std::string::npos; m = t.find(s.literal, m + s.literal.size()))
                matches.emplace_back(m, m + s.literal.size());
        }
        if (matches.empty() && !s.invert) {
            // Nothing to cut (the common case for most words): keep the word as is.
            if (!t.empty()) out.push_back(std::move(w));
            continue;
        }
        ranges.clear();
        std::size_t prev = 0;
        for (const auto& [b, e] : matches) {
            if (b > prev) ranges.push_back(Range{prev, b, false});
            ranges.push_back(Range{b, e, true});
            prev = e;
        }
        if (prev < t.size()) ranges.push_back(Range{prev, t.size(), false});
        if (s.invert)
            for (auto& r : ranges) r.match = !r.match;

        keep.clear();
        bool previousMatch = false;
        switch (s.behavior) {
        case Behavior::Removed:
            for (const auto& r : ranges)
                if (!r.match) keep.emplace_back(r.b, r.e);
            break;
        case Behavior::Isolated:
            for (const auto& r : ranges) keep.emplace_back(r.b, r.e);
            break;
        case Behavior::Contiguous:
            for (const auto& r : ranges) {
                if (r.match == previousMatch && !keep.empty()) keep.back().second = r.e;
                else keep.emplace_back(r.b, r.e);
                previousMatch = r.match;
            }
            break;
        case Behavior::MergedWithPrevious:
            for (const auto& r : ranges) {
                if (r.match && !previousMatch && !keep.empty()) keep.back().second = r.e;
                else keep.emplace_back(r.b, r.e);
                previousMatch = r.match;
            }
            break;
        case Behavior::MergedWithNext:
            for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) {
                if (it->match && !previousMatch && !keep.empty()) keep.back().first = it->b;
                else keep.emplace_back(it->b, it->e);
                previousMatch = it->match;
            }
            std::reverse(keep.begin(), keep.end());
            break;
        }
        for (const auto& [b, e] : keep)
            if (e > b) out.push_back(PreToken{t.substr(b, e - b), w.atStart && b == 0});
    }
    words = std::move(out);
}

void HfPreTokenizer::apply(std::vector<PreToken>& words) const
{
    for (const Step& s : m_steps) {
        switch (s.kind) {
        case Kind::Split: splitWords(s, words); break;
        case Kind::ByteLevel: {
            if (s.addPrefixSpace)
                for (auto& w : words)
                    if (w.text.empty() || w.text[0] != ' ') w.text.insert(0, 1, ' ');
            if (s.regex) splitWords(s, words);
            std::string mapped;
            for (auto& w : words) {
                mapped.clear();
                byte_level::encode(w.text, mapped);
                w.text.swap(mapped);
            }
            break;
        }
        case Kind::Metaspace: {
            for (auto& w : words) {
                if (w.text.empty()) continue;
                std::string replaced;
                replaced.reserve(w.text.size() + w.text.size() / 4 + s.replacement.size());
                const bool prepend = (s.prepend == Prepend::Always || (s.prepend == Prepend::First && w.atStart)) &&
                                     w.text.compare(0, s.replacement.size(), s.replacement) != 0 && w.text[0] != ' ';
                if (prepend) replaced += s.replacement;
                for (const char c : w.text) {
                    if (c == ' ') replaced += s.replacement;
                    else replaced += c;
                }
                w.text.swap(replaced);
            }
            if (s.split) splitWords(s, words);
            break;
        }
        }
    }
}

} // namespace condense::tokenizer
