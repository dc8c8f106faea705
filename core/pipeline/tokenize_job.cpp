#include "core/pipeline/tokenize_job.h"

#include "core/io/checkpoint.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::pipeline {

Result<TokenizeResult> runTokenize(const TokenizeRequest& request, jobs::ProgressSink& progress, std::stop_token stop)
{
    auto checkpoint = io::openCheckpoint(request.model, progress, stop);
    if (!checkpoint) return std::move(checkpoint).error();
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, request.model, "tokenizing was cancelled");
    auto tokenizer = tokenizer::loadTokenizer(**checkpoint);
    if (!tokenizer) return std::move(tokenizer).error();
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, request.model, "tokenizing was cancelled");

    const tokenizer::Tokenizer& t = **tokenizer;
    TokenizeResult result;
    result.ids = t.encode(request.text, request.special, request.special);
    result.pieces.reserve(result.ids.size());
    for (const std::int32_t id : result.ids) result.pieces.push_back(t.tokenText(id));
    return result;
}

} // namespace condense::pipeline
