#include "core/pipeline/calibration_set.h"

#include <algorithm>
#include <cmath>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/io/checkpoint.h"
#include "core/io/json_file.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::pipeline {

// Bundled set texts (resources/calibration, compiled in by core/CMakeLists.txt).
std::string_view calibrationGeneralText();
std::string_view calibrationGeneralHeldOut();
std::string_view calibrationCodeText();
std::string_view calibrationCodeHeldOut();
std::string_view calibrationChatText();
std::string_view calibrationChatHeldOut();
std::string_view calibrationMultilingualText();
std::string_view calibrationMultilingualHeldOut();

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Calibration texts are read whole; 2 GB is beyond any of them.
constexpr std::uint64_t kMaxTextBytes = 2ull << 30;
constexpr std::string_view kDocumentSeparator = "\n\n";

bool contains(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

std::string trim(std::string_view s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

std::string renderAll(const std::vector<Dialogue>& dialogues, std::size_t from, std::size_t to, ChatStyle style)
{
    std::string out;
    for (std::size_t i = from; i < to; ++i) {
        if (!out.empty() && style == ChatStyle::Plain) out.append(kDocumentSeparator);
        out.append(renderDialogue(dialogues[i], style));
    }
    return out;
}

struct Bundled {
    std::string_view name;
    std::string_view (*text)();
    std::string_view (*heldOut)();
    bool dialogues;
};

const Bundled* findBundled(std::string_view name)
{
    static const Bundled kSets[] = {
        {"general", calibrationGeneralText, calibrationGeneralHeldOut, false},
        {"code", calibrationCodeText, calibrationCodeHeldOut, false},
        {"chat", calibrationChatText, calibrationChatHeldOut, true},
        {"multilingual", calibrationMultilingualText, calibrationMultilingualHeldOut, false},
    };
    for (const Bundled& b : kSets)
        if (b.name == name) return &b;
    return nullptr;
}

// A user's files: plain texts kept verbatim (joined by a blank line), dialogues parsed.
struct FileDocs {
    std::string plain;
    std::vector<Dialogue> dialogues;
};

Status readUserFile(const fs::path& path, FileDocs& docs)
{
    auto text = io::readTextFile(path, kMaxTextBytes);
    if (!text) return std::move(text).error();
    if (path.extension() == ".jsonl") {
        auto d = parseDialogues(*text, path.string());
        if (!d) return std::move(d).error();
        for (auto& x : *d) docs.dialogues.push_back(std::move(x));
    } else if (!trim(*text).empty()) {
        if (!docs.plain.empty()) docs.plain.append(kDocumentSeparator);
        docs.plain.append(*text);
    }
    return okStatus();
}

// Byte offsets where the paragraphs of `text` start.
std::vector<std::size_t> paragraphStarts(std::string_view text)
{
    std::vector<std::size_t> starts;
    bool blankBefore = true;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
        const bool blank = trim(text.substr(pos, end - pos)).empty();
        if (!blank && blankBefore) starts.push_back(pos);
        blankBefore = blank;
        pos = end + 1;
    }
    return starts;
}

std::int64_t documentCount(std::string_view text) { return static_cast<std::int64_t>(paragraphStarts(text).size()); }

std::size_t heldOutCount(std::size_t documents, double fraction)
{
    if (documents < 2 || fraction <= 0) return 0;
    const auto n = static_cast<std::size_t>(std::ceil(static_cast<double>(documents) * fraction));
    return std::clamp<std::size_t>(n, 1, documents - 1);
}

} // namespace

const char* chatStyleName(ChatStyle style) noexcept
{
    switch (style) {
    case ChatStyle::Plain: return "plain";
    case ChatStyle::ChatML: return "chatml";
    case ChatStyle::Llama3: return "llama3";
    case ChatStyle::Llama2: return "llama2";
    case ChatStyle::Gemma: return "gemma";
    case ChatStyle::Phi3: return "phi3";
    }
    return "plain";
}

ChatStyle chatStyleFromTemplate(std::string_view t)
{
    if (contains(t, "<|im_start|>")) return ChatStyle::ChatML;
    if (contains(t, "<|start_header_id|>")) return ChatStyle::Llama3;
    if (contains(t, "<start_of_turn>")) return ChatStyle::Gemma;
    if (contains(t, "<|assistant|>") && contains(t, "<|end|>")) return ChatStyle::Phi3;
    if (contains(t, "[INST]")) return ChatStyle::Llama2;
    return ChatStyle::Plain;
}

std::string modelChatTemplate(const io::Checkpoint& ck)
{
    if (const io::GgufFile* g = ck.gguf()) {
        if (const io::GgufValue* v = g->find("tokenizer.chat_template"))
            if (const std::string* s = v->asString()) return *s;
        return {};
    }
    const fs::path dir = ck.folder();
    std::error_code ec;
    if (fs::is_regular_file(dir / "tokenizer_config.json", ec)) {
        auto j = io::readJsonFile(dir / "tokenizer_config.json");
        if (j && j->is_object()) {
            const auto it = j->find("chat_template");
            if (it != j->end()) {
                if (it->is_string()) return it->get<std::string>();
                if (it->is_array())
                    for (const Json& e : *it)
                        if (e.is_object() && e.value("name", "") == "default" && e.contains("template") &&
                            e["template"].is_string())
                            return e["template"].get<std::string>();
            }
        }
    }
    if (fs::is_regular_file(dir / "chat_template.jinja", ec)) {
        auto t = io::readTextFile(dir / "chat_template.jinja");
        if (t) return *t;
    }
    return {};
}

std::string renderDialogue(const Dialogue& d, ChatStyle style)
{
    std::string out;
    switch (style) {
    case ChatStyle::ChatML:
        for (const ChatTurn& t : d) out += "<|im_start|>" + t.role + "\n" + t.content + "<|im_end|>\n";
        break;
    case ChatStyle::Llama3:
        for (const ChatTurn& t : d) out += "<|start_header_id|>" + t.role + "<|end_header_id|>\n\n" + t.content + "<|eot_id|>";
        break;
    case ChatStyle::Phi3:
        for (const ChatTurn& t : d) out += "<|" + t.role + "|>\n" + t.content + "<|end|>\n";
        break;
    case ChatStyle::Gemma: {
        // Gemma has no system role: its template puts the system text at the top of the first
        // user turn.
        std::string pendingSystem;
        for (const ChatTurn& t : d) {
            if (t.role == "system") {
                pendingSystem = t.content + "\n\n";
                continue;
            }
            out += "<start_of_turn>" + std::string(t.role == "assistant" ? "model" : "user") + "\n" + pendingSystem +
                   t.content + "<end_of_turn>\n";
            pendingSystem.clear();
        }
        break;
    }
    case ChatStyle::Llama2: {
        // [INST] user [/INST] answer </s><s>[INST] ... (the system text inside the first [INST]).
        std::string system;
        bool first = true;
        for (const ChatTurn& t : d) {
            if (t.role == "system") {
                system = "<<SYS>>\n" + t.content + "\n<</SYS>>\n\n";
            } else if (t.role == "user") {
                out += std::string(first ? "" : "<s>") + "[INST] " + system + t.content + " [/INST]";
                system.clear();
                first = false;
            } else {
                out += " " + t.content + " </s>";
            }
        }
        break;
    }
    case ChatStyle::Plain:
        for (const ChatTurn& t : d) {
            if (!out.empty()) out += "\n\n";
            const std::string who = t.role == "system" ? "System" : t.role == "user" ? "User" : "Assistant";
            out += who + ": " + t.content;
        }
        break;
    }
    return out;
}

Result<std::vector<Dialogue>> parseDialogues(std::string_view jsonl, const std::string& name)
{
    std::vector<Dialogue> out;
    std::size_t pos = 0;
    std::int64_t lineNo = 0;
    while (pos < jsonl.size()) {
        const std::size_t nl = jsonl.find('\n', pos);
        const std::string_view line = jsonl.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? jsonl.size() : nl + 1;
        ++lineNo;
        if (trim(line).empty()) continue;
        auto bad = [&](const std::string& what) {
            return makeError(ErrorCode::Malformed, name, "line " + std::to_string(lineNo) + ": " + what);
        };
        Json j = Json::parse(line.begin(), line.end(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
        const auto it = j.find("messages");
        if (it == j.end() || !it->is_array() || it->empty()) return bad("no \"messages\" array");
        Dialogue d;
        for (const Json& m : *it) {
            if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content") ||
                !m["content"].is_string())
                return bad("a message without a string \"role\" and \"content\"");
            ChatTurn t{m["role"].get<std::string>(), m["content"].get<std::string>()};
            if (t.role != "system" && t.role != "user" && t.role != "assistant")
                return bad("unknown role \"" + t.role + "\"");
            if (t.role == "system" && !d.empty()) return bad("a system message after the first message");
            d.push_back(std::move(t));
        }
        out.push_back(std::move(d));
    }
    if (out.empty()) return makeError(ErrorCode::InvalidArgument, name, "no dialogues");
    return out;
}

const std::vector<std::string>& calibrationSetNames()
{
    static const std::vector<std::string> kNames{"general", "code", "chat", "multilingual"};
    return kNames;
}

bool isCalibrationSetName(std::string_view name) { return findBundled(name) != nullptr; }

Result<CalibrationSource> loadCalibrationSource(std::string_view setOrPath, ChatStyle chat, double heldOutFraction)
{
    if (!(heldOutFraction >= 0 && heldOutFraction < 1))
        return makeError(ErrorCode::InvalidArgument, {}, "the held-out share must be at least 0 and below 1");
    CalibrationSource src;
    if (const Bundled* b = findBundled(setOrPath)) {
        src.label = std::string(b->name) + " (bundled)";
        if (b->dialogues) {
            auto cal = parseDialogues(b->text(), src.label);
            auto held = parseDialogues(b->heldOut(), src.label);
            if (!cal) return std::move(cal).error();
            if (!held) return std::move(held).error();
            src.calibration = renderAll(*cal, 0, cal->size(), chat);
            src.heldOut = renderAll(*held, 0, held->size(), chat);
            src.parseSpecial = chat != ChatStyle::Plain;
            src.documents = static_cast<std::int64_t>(cal->size());
            src.heldOutDocuments = static_cast<std::int64_t>(held->size());
        } else {
            src.calibration = std::string(b->text());
            src.heldOut = std::string(b->heldOut());
            src.documents = documentCount(src.calibration);
            src.heldOutDocuments = documentCount(src.heldOut);
        }
        return src;
    }

    const fs::path path{std::string(setOrPath)};
    src.label = path.string();
    std::error_code ec;
    if (!fs::exists(path, ec)) return makeError(ErrorCode::NotFound, path.string(), "no such file or folder");
    FileDocs docs;
    if (fs::is_directory(path, ec)) {
        std::vector<fs::path> files;
        for (const auto& de : fs::directory_iterator(path, ec)) {
            const auto ext = de.path().extension();
            if (de.is_regular_file(ec) && (ext == ".txt" || ext == ".md" || ext == ".jsonl")) files.push_back(de.path());
        }
        if (ec) return makeError(ErrorCode::IoError, path.string(), ec.message());
        if (files.empty())
            return makeError(ErrorCode::InvalidArgument, path.string(), "the folder holds no .txt, .md or .jsonl file");
        std::sort(files.begin(), files.end());
        for (const auto& f : files) CONDENSE_TRY(readUserFile(f, docs));
    } else {
        CONDENSE_TRY(readUserFile(path, docs));
    }
    if (trim(docs.plain).empty() && docs.dialogues.empty())
        return makeError(ErrorCode::InvalidArgument, path.string(), "the calibration text is empty");

    // The plain text is cut (verbatim) at the start of a paragraph, the dialogues at a dialogue,
    // each at its own tail so both kinds reach calibration.
    const std::vector<std::size_t> starts = paragraphStarts(docs.plain);
    const std::size_t hp = heldOutCount(starts.size(), heldOutFraction);
    const std::size_t hd = heldOutCount(docs.dialogues.size(), heldOutFraction);
    const std::size_t nd = docs.dialogues.size() - hd;
    const std::size_t cut = hp > 0 ? starts[starts.size() - hp] : docs.plain.size();
    src.parseSpecial = !docs.dialogues.empty() && chat != ChatStyle::Plain;
    auto append = [](std::string& to, std::string_view what) {
        if (what.empty()) return;
        if (!to.empty()) to.append(kDocumentSeparator);
        to.append(what);
    };
    append(src.calibration, std::string_view(docs.plain).substr(0, cut));
    append(src.calibration, renderAll(docs.dialogues, 0, nd, chat));
    append(src.heldOut, std::string_view(docs.plain).substr(cut));
    append(src.heldOut, renderAll(docs.dialogues, nd, docs.dialogues.size(), chat));
    src.documents = static_cast<std::int64_t>(starts.size() - hp + nd);
    src.heldOutDocuments = static_cast<std::int64_t>(hp + hd);
    return src;
}

Result<std::vector<std::vector<std::int32_t>>> calibrationChunks(const tokenizer::Tokenizer& t, std::string_view text,
                                                                 bool parseSpecial, std::int64_t ctx,
                                                                 std::int64_t tokenBudget, const std::string& label,
                                                                 std::int64_t* textTokens)
{
    if (ctx < 1) return makeError(ErrorCode::InvalidArgument, {}, "the chunk length must be at least 1 token");
    if (tokenBudget < 0) return makeError(ErrorCode::InvalidArgument, {}, "negative token budget");
    if (tokenBudget > 0 && tokenBudget < ctx)
        return makeError(ErrorCode::InvalidArgument, {},
                         "token budget " + std::to_string(tokenBudget) + " is less than one chunk of " +
                             std::to_string(ctx) + " tokens");
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1); // as llama.cpp's -f
    const std::vector<std::int32_t> tokens = t.encode(text, true, parseSpecial);
    const auto nTokens = static_cast<std::int64_t>(tokens.size());
    if (textTokens) *textTokens = nTokens;
    std::int64_t chunks = nTokens / ctx;
    if (tokenBudget > 0) chunks = std::min(chunks, tokenBudget / ctx);
    if (chunks < 1)
        return makeError(ErrorCode::InvalidArgument, label,
                         "the text has " + std::to_string(nTokens) + " tokens, fewer than one chunk of " +
                             std::to_string(ctx));
    std::vector<std::vector<std::int32_t>> out(static_cast<std::size_t>(chunks));
    for (std::int64_t c = 0; c < chunks; ++c) {
        auto& chunk = out[static_cast<std::size_t>(c)];
        chunk.assign(tokens.begin() + c * ctx, tokens.begin() + (c + 1) * ctx);
        if (t.addBos()) chunk[0] = t.bosId();
    }
    return out;
}

} // namespace condense::pipeline
