#pragma once
// condense-cli tokenize: a text through a model's tokenizer (core/pipeline/tokenize_job.h).

#include <optional>
#include <string>

namespace condense::cli {

struct TokenizeOptions {
    std::string model;
    std::optional<std::string> text; // --text
    std::optional<std::string> file; // --file (exactly one of the two)
    bool noSpecial = false;          // --no-special: no BOS/EOS, special-token text is plain
    bool json = false;
};
// Text output: one "id<TAB>piece" line per token; the piece's bytes that are not printable
// UTF-8 (control bytes such as a newline, a lone byte of a split character, '\') as \xNN.
// --json: {"ids": [...], "pieces": [...]}, each byte of a piece that does not start a
// well-formed UTF-8 sequence replaced by U+FFFD (so a character split over several tokens
// shows as one U+FFFD per byte; the ids stay exact).
int runTokenize(const TokenizeOptions& o);

} // namespace condense::cli
