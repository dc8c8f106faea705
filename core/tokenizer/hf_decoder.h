#pragma once
// The "decoder" of a Hugging Face tokenizer.json (huggingface/tokenizers
// tokenizers/src/decoders/): a chain of steps over the list of token strings, then joined.
//   ByteLevel     all tokens -> bytes via the GPT-2 mapping (a token with an unmapped
//                 character keeps its UTF-8), one string, invalid UTF-8 -> U+FFFD (lossy)
//   ByteFallback  runs of <0xNN> tokens -> their bytes as text if valid UTF-8, else one
//                 U+FFFD per byte
//   Fuse          all tokens -> one string
//   Replace {pattern: {String|Regex}, content}   in each token
//   Strip {content, start, stop}   drop up to start/stop leading/trailing `content` chars of
//                 each token
//   Metaspace {replacement, prepend_scheme}   replacement -> ' '; in the first token the
//                 replacement is dropped instead (unless prepend_scheme is "never")
//   BPEDecoder {suffix}   suffix -> ' ' (none after the last token)
//   Sequence {decoders}
// No decoder: the tokens joined with ' ' (tokenizers' default).

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/common/regex.h"
#include "core/common/result.h"

namespace condense::tokenizer {

class HfDecoder {
public:
    static Result<HfDecoder> parse(const nlohmann::json& j, const std::string& file);
    std::string decode(std::vector<std::string> tokens) const;
    // Whether a ByteLevel step maps token characters back to bytes.
    bool hasByteLevel() const;

private:
    enum class Kind : std::uint8_t { ByteLevel, ByteFallback, Fuse, ReplaceString, ReplaceRegex, Strip, Metaspace, BpeSuffix };
    struct Step {
        Kind kind = Kind::Fuse;
        std::string pattern, content; // Replace*, Strip (content), Metaspace (replacement), BpeSuffix
        std::optional<Regex> regex;
        std::size_t start = 0, stop = 0;
        bool prependFirst = true; // Metaspace
    };
    static Status parseInto(const nlohmann::json& j, const std::string& file, std::vector<Step>& steps);

    std::vector<Step> m_steps;
    bool m_none = true; // no decoder at all
};

} // namespace condense::tokenizer
