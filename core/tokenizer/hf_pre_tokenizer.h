#pragma once
// The "pre_tokenizer" of a Hugging Face tokenizer.json (huggingface/tokenizers
// tokenizers/src/pre_tokenizers/): cuts a normalized text segment into the words the BPE
// model sees. Supported:
//   Split {pattern: {String|Regex}, behavior, invert}   the pattern's matches and the text
//        between them, then per behavior (tokenizer/normalizer.rs NormalizedString::split):
//        Removed drops matches; Isolated keeps each as its own word; MergedWithPrevious /
//        MergedWithNext glue a match to the word before / after it; Contiguous joins runs of
//        matches. invert swaps the roles of matches and gaps. Empty words are dropped.
//   ByteLevel {add_prefix_space, use_regex}   ' ' in front of each word not starting with
//        one, the GPT-2 regex (Isolated), then every byte -> its GPT-2 character.
//   Metaspace {replacement, prepend_scheme, split}   ' ' -> replacement; prepend it when the
//        word does not start with it: "always", or "first" = only for the word at the very
//        start of the input; split: cut before every replacement char (MergedWithNext).
//   Digits {individual_digits}, Whitespace, WhitespaceSplit, Punctuation {behavior},
//   CharDelimiterSplit {delimiter}, Sequence {pretokenizers}.
// Regexes run under PCRE2 (Unicode properties); tokenizers uses Oniguruma: the same classes
// except that PCRE2's \s also matches U+0085 and U+180E.

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/common/regex.h"
#include "core/common/result.h"

namespace condense::tokenizer {

struct PreToken {
    std::string text;
    bool atStart = false; // begins at offset 0 of the original input (Metaspace "first")
};

class HfPreTokenizer {
public:
    static Result<HfPreTokenizer> parse(const nlohmann::json& j, const std::string& file);

    bool empty() const { return m_steps.empty(); }
    void apply(std::vector<PreToken>& words) const;

    enum class Behavior : std::uint8_t { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

private:
    enum class Kind : std::uint8_t { Split, ByteLevel, Metaspace };
    enum class Prepend : std::uint8_t { Always, First, Never };
    struct Step {
        Kind kind = Kind::Split;
        std::optional<Regex> regex; // Split (regex), ByteLevel (GPT-2 regex when use_regex)
        std::string literal;             // Split (string pattern)
        Behavior behavior = Behavior::Isolated;
        bool invert = false;
        bool addPrefixSpace = false; // ByteLevel
        std::string replacement;     // Metaspace
        Prepend prepend = Prepend::Always;
        bool split = true;
    };
    static Status parseInto(const nlohmann::json& j, const std::string& file, std::vector<Step>& steps);
    static void splitWords(const Step& s, std::vector<PreToken>& words);

    std::vector<Step> m_steps;
};

} // namespace condense::tokenizer
