#pragma once
// captureBlockByBlock: runs calibration chunks through a Session one block at a time (embed,
// then block 0 over every chunk, block 1 over every chunk, ..., optionally the head), with an
// ActivationObserver attached only while a block's statistics are being taken. The hidden
// states of all chunks are kept between blocks (chunks x tokens x hidden floats; Sequential mode
// adds a copy of one chunk's, the input of its observed run), so a caller
// can quantize block l before block l + 1 runs, and statistics observers (HessianAccumulator
// with setLayers) need hold only one block's matrices at a time.
//
// Modes:
//   Original    block l sees the outputs of the session's blocks as they were when the capture
//               started (AWQ, imatrix). afterBlock may install weights (they do not change the
//               inputs of later blocks: block l's outputs are computed before afterBlock runs).
//   Sequential  GPTQ's sequential mode: block l runs over the chunks with the observer attached,
//               then afterBlock(l) installs the block's quantized weights as session overrides
//               (Session::overrideWeight), then block l runs again over the same inputs with
//               those weights, observer detached, and these outputs feed block l + 1. So every
//               block is calibrated on the outputs of the already-quantized blocks before it.
//               With stages > 1 the observed run is repeated (afterStage between the runs), so
//               parts of a block can be calibrated on the outputs of its parts already quantized.
//
// Every chunk starts at position 0 (a fresh sequence); the session's context must hold the
// longest chunk. The session's observer is restored on return and its position is reset.
// Progress: Stage::Evaluating, done/total in block runs over one chunk (item "blk.<l>", or
// "output" for the head), with a job-wide fraction (jobs::WeightedProgress). A stop request is
// honoured between chunks and inside blocks (ErrorCode::Cancelled); afterBlock's error stops
// the capture and is returned.

#include <cstdint>
#include <functional>
#include <span>
#include <stop_token>
#include <vector>

#include "core/common/result.h"
#include "core/jobs/progress.h"
#include "core/model/activation_observer.h"
#include "core/model/session.h"

namespace condense::model {

enum class CaptureMode : std::uint8_t { Original, Sequential };

// Called after block `layer` (-1: the head) has been run over every chunk with the observer
// attached: the point to read and take() the block's statistics and install its weights.
using AfterBlock = std::function<Status(std::int64_t layer, Session& session)>;

struct CaptureOptions {
    CaptureMode mode = CaptureMode::Original;
    // Also run the head (final norm and output matrix) so LinearSite::Output is observed.
    bool includeOutput = false;
    AfterBlock afterBlock; // may be empty
    // Sequential mode only: observed runs per block (at least 1). Each works on a copy of the
    // block's inputs with the observer attached; after every run but the last,
    // afterStage(layer, stage) is called (stage 0 .. stages - 2), and what it installs is used
    // by the next observed run; afterBlock follows the last one, then the re-run. GPTQ's
    // true-sequential mode: one stage per group of linears sharing an input.
    int stages = 1;
    std::function<Status(std::int64_t layer, int stage, Session& session)> afterStage;
    // Sequential mode with stages == 1 only (else InvalidArgument): also carry the ORIGINAL
    // model's hidden states (a second chunks x tokens x hidden copy, kept as F16: that stream's
    // block inputs are rounded to F16, except a chunk with a value outside F16's range, which
    // stays F32) and, for every chunk, run
    // block l on them with this observer attached just before the chunk's observed run (block
    // l's weights are the same in both: its overrides come after the observed runs), the head
    // likewise. The original stream is embedded first; then afterOriginalEmbed (may be empty)
    // runs, e.g. to install a quantized token_embd, and the sequential stream is embedded.
    // What asymmetric calibration needs (paired_input_accumulator.h).
    ActivationObserver* originalObserver = nullptr;
    std::function<Status(Session& session)> afterOriginalEmbed;
};

Status captureBlockByBlock(Session& session, std::span<const std::vector<std::int32_t>> chunks,
                           ActivationObserver& observer, const CaptureOptions& options, jobs::ProgressSink& sink,
                           std::stop_token stop = {});

} // namespace condense::model
