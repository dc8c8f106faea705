#include "core/pipeline/tokenize_job.h"

#include "core/io/checkpoint.h"
#include "core/io/json_file.h"
#include "core/tokenizer/utf8.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::pipeline {

Result<TokenizeResult> runTokenize(const TokenizeRequest& request, jobs::ProgressSink& progress, std::stop_token stop)
{
    std::string fileText;
    if (!request.file.empty()) {
        auto text = io::readTextFile(request.file);
        if (!text) return std::move(text).error();
        fileText = std::move(*text);
    }
    const std::string& text = request.file.empty() ? request.text : fileText;
    auto checkpoint = io::openCheckpoint(request.model, progress, stop);
    if (!checkpoint) return std::move(checkpoint).error();
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, request.model, "tokenizing was cancelled");
    auto tokenizer = tokenizer::loadTokenizer(**checkpoint);
    if (!tokenizer) return std::move(tokenizer).error();
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, request.model, "tokenizing was cancelled");

    const tokenizer::Tokenizer& t = **tokenizer;
    TokenizeResult result;
    result.ids = t.encode(text, request.special, request.special);
    result.pieces.reserve(result.ids.size());
    for (const std::int32_t id : result.ids) result.pieces.push_back(t.tokenText(id));
    result.validPieces.reserve(result.pieces.size());
    for (const std::string& piece : result.pieces) result.validPieces.push_back(tokenizer::utf8::sanitize(piece));
    return result;
}

} // namespace condense::pipeline
