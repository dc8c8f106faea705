#pragma once
// Calibration text for imatrix, GPTQ and AWQ: a bundled set or the user's own texts, each with a
// held-out split that calibration never sees (the quality check evaluates on it).
//
// Bundled sets (resources/calibration, compiled into core; sources and licences in its
// manifest.json and README.md):
//   general       State of the Union addresses 1946-2020 (US government works, public domain)
//   code          Python (CPython's standard library, PSF-2.0), JavaScript (lodash, MIT), C
//                 (sqlite3.h, public domain)
//   chat          English assistant dialogues written for Condense (CC0-1.0), rendered with the
//                 model's chat template family (ChatStyle)
//   multilingual  the Universal Declaration of Human Rights in 16 languages (freely
//                 reproducible, OHCHR) and dialogues in German, French, Spanish and Chinese
//                 written for Condense (CC0-1.0)
// Their held-out splits are fixed files (every 8th document of the source list).
//
// A user's source: a text file (UTF-8; documents are its blank-line separated paragraphs), a
// .jsonl file of dialogues ({"messages": [{"role", "content"}, ...]} per line, as chat
// datasets are written), or a folder of such files (*.txt, *.md, *.jsonl, sorted by name, not
// recursive). The last `heldOutFraction` of its documents (at least one when there are two or
// more) is held out.
//
// Chunks (calibrationChunks): as llama-imatrix -c CTX cuts a text (core/pipeline/
// calibrate_request.h): the text loses one trailing '\n', is tokenized with the model's
// special tokens added (and special-token text parsed only for dialogues rendered with a chat
// template), cut into floor(n / ctx) chunks (the rest dropped), at most budget / ctx of them,
// and the first token of every chunk becomes BOS when the vocabulary adds one.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace condense::io {
class Checkpoint;
}
namespace condense::tokenizer {
class Tokenizer;
}

namespace condense::pipeline {

// The chat template families dialogues can be rendered in. Plain: "User: ...", "Assistant: ...".
enum class ChatStyle : std::uint8_t { Plain, ChatML, Llama3, Llama2, Gemma, Phi3 };
const char* chatStyleName(ChatStyle style) noexcept;

// The family of a Jinja chat template, recognised by its turn markers; Plain when empty or
// unknown.
ChatStyle chatStyleFromTemplate(std::string_view jinja);
// The model's default chat template: GGUF tokenizer.chat_template, else the folder's
// tokenizer_config.json "chat_template" (a string, or the "default" entry of a list), else
// chat_template.jinja. Empty when there is none or it cannot be read.
std::string modelChatTemplate(const io::Checkpoint& checkpoint);

struct ChatTurn {
    std::string role; // "system", "user" or "assistant"
    std::string content;
};
using Dialogue = std::vector<ChatTurn>;

// One dialogue as the template family writes it for a finished conversation (every assistant
// turn closed). The family's markup only: a template's extras (Qwen's default system prompt when
// none is given, date lines, tool sections) are not reproduced. BOS is not written: the
// tokenizer adds it at the front of a chunk.
std::string renderDialogue(const Dialogue& dialogue, ChatStyle style);
// Dialogues from JSONL text (`name` labels errors): one object per non-empty line with a
// "messages" array of {role, content}; roles system (first only), user, assistant.
Result<std::vector<Dialogue>> parseDialogues(std::string_view jsonl, const std::string& name);

// The names `--set` / `--calibration` take for bundled sets, in display order.
const std::vector<std::string>& calibrationSetNames();
bool isCalibrationSetName(std::string_view name);

struct CalibrationSource {
    std::string label;        // "general (bundled)" or the path as given
    std::string calibration;  // the text calibration reads
    std::string heldOut;      // the text it never reads
    bool parseSpecial = false; // dialogues rendered with a chat template: special tokens are markup
    std::int64_t documents = 0;
    std::int64_t heldOutDocuments = 0;
};

// `setOrPath`: a bundled set name or a path. Errors: NotFound (naming the path), InvalidArgument
// for an empty source, a bad fraction, a folder with no text files, a malformed .jsonl (naming
// the file and line).
Result<CalibrationSource> loadCalibrationSource(std::string_view setOrPath, ChatStyle chat,
                                                double heldOutFraction = 0.1);

// Token chunks of `text` (see above). InvalidArgument naming `label` when the text holds fewer
// tokens than one chunk, ctx < 1, or a budget below one chunk.
Result<std::vector<std::vector<std::int32_t>>> calibrationChunks(const tokenizer::Tokenizer& tokenizer,
                                                                 std::string_view text, bool parseSpecial,
                                                                 std::int64_t ctx, std::int64_t tokenBudget,
                                                                 const std::string& label,
                                                                 std::int64_t* textTokens = nullptr);

} // namespace condense::pipeline
