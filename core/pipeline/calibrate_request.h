#pragma once
// CalibrateRequest -> runCalibrate: an importance matrix (imatrix) of a model over a calibration
// text, computed and written as llama-imatrix does (tools/imatrix/imatrix.cpp at llama.cpp
// 34af94cd; ../shared/reference/formats.md 4.5-4.7), so llama-quantize and our own quantizer
// (core/quant/imatrix.h) read it. The CLI's `calibrate` and the GUI use it.
//
// Text and chunking, as llama-imatrix -f FILE -c CTX:
//   - the text loses one trailing '\n' (llama.cpp's -f does that), then is tokenized with the
//     model's special tokens added (BOS in front when the vocabulary adds one) and special-token
//     text read as plain text;
//   - the tokens are cut into floor(n / ctx) chunks of ctx tokens (the rest is dropped); with
//     tokenBudget > 0 only the first min(budget / ctx, that) chunks are used;
//   - when the vocabulary adds BOS, the first token of every chunk is replaced by BOS;
//   - each chunk is a fresh sequence (positions 0 .. ctx-1), every position evaluated.
// Statistic: for every linear of every block (attn_q/k/v/output, ffn_gate/up/down; not the
// output matrix, which llama-imatrix leaves out unless --process-output), the per-column sum of
// squares of its input over all rows of all chunks (model/column_square_sums.h, in double), and
// the row count. llama-imatrix ignores matrix products of fewer than 16 rows: ctx must be at
// least 16, and for ctx > 1024 (one chunk per llama batch, cut into micro-batches of 512) the
// last ctx % 512 rows of every chunk are left out when they are fewer than 16, as there.
// imatrix.chunk_count is then llama-imatrix's floor(rows / ctx), which may be below `chunks`.
//
// File: GGUF v3, keys general.type = "imatrix", imatrix.datasets = [datasetLabel],
// imatrix.chunk_count (u32), imatrix.chunk_size (u32, = ctx); per weight in name order
// <name>.in_sum2 (F32, ne [cols, 1]) then <name>.counts (F32, ne [1, 1]), both with n_dims 1
// as ggml writes a 2-D tensor whose second dimension is 1 (a dense model has one matrix per
// weight). Written through
// GgufWriter (AtomicFile): on an error or a stop request nothing is left at `output`.
//
// Progress: one job-wide fraction over opening (weight 2), the chunks (Stage::Calibrating,
// done/total = chunks, weight 95) and writing (weight 3), with its ETA. A stop request is
// honoured between blocks of the forward pass (ErrorCode::Cancelled).
//
// Errors name the file they concern: the text (NotFound, or InvalidArgument when it holds
// fewer tokens than one chunk), the model (InvalidArgument when ctx exceeds its positions),
// the output (the writer's).
//
// `set` names a bundled set (its calibration part: core/pipeline/calibration_set.h) or a file /
// folder; `text` a file. A file is used whole (heldOutFraction 0), as llama-imatrix -f does.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "core/common/result.h"
#include "core/jobs/progress.h"
#include "core/pipeline/calibration_set.h"

namespace condense::pipeline {

struct CalibrateRequest {
    std::filesystem::path model;             // Hugging Face folder, .safetensors or .gguf
    std::string set;                         // a bundled set (general, code, chat, multilingual) or a path; empty: `text`
    std::filesystem::path text;              // calibration text file (UTF-8)
    std::optional<std::string> textContent;  // the text itself instead of reading `text` (which then labels it)
    std::string datasetLabel;                // the imatrix.datasets entry; empty: `text` as given
    std::int64_t ctx = 512;                  // tokens per chunk (llama-imatrix -c)
    std::int64_t tokenBudget = 0;            // use at most this many tokens (whole chunks); 0: the whole text
    std::filesystem::path output;            // the imatrix .gguf to write
    int threads = 0;
    double heldOutFraction = 0;              // share of a user source's documents left out (bundled sets: fixed split)
};

struct CalibrateOutcome {
    std::filesystem::path output;
    std::uint64_t fileBytes = 0;
    std::int64_t textTokens = 0;   // tokens of the whole text (with BOS)
    std::int64_t chunks = 0;       // chunks evaluated
    std::int64_t chunkCount = 0;   // imatrix.chunk_count (= chunks unless short batches were left out)
    std::int64_t chunkSize = 0;    // imatrix.chunk_size
    std::size_t entries = 0;       // weights with statistics
    double seconds = 0;            // wall time of the forward passes
};

Result<CalibrateOutcome> runCalibrate(const CalibrateRequest& request, jobs::ProgressSink& progress,
                                      std::stop_token stop = {});

} // namespace condense::pipeline
