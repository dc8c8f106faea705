#pragma once
// GPTQ inside ggml block formats: the column sweep of GPTQ (gptq.h; Frantar et al. 2022,
// ../shared/reference/formats.md 6) where "quantize a group of columns" is one block of a ggml
// weight format (Q4_0, Q8_0: 32 columns; Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS: 256), so the
// result is that format's exact bytes, loadable by llama.cpp as any llama-quantize output.
//
//   W: rows x cols floats (row = output channel), cols a multiple of the type's block size.
//   H: cols x cols doubles, X^T X of the layer's inputs (any positive scale).
//
//   1. dead columns (H_ii == 0): H_ii = 1, W[:, i] = 0 (as GPTQ);
//   2. H += percDamp * mean(diag H) * I (percDamp raised by dampIncrement while H is not
//      positive definite, when asked); U = upper Cholesky factor of H^-1 (gptq_factor.h);
//   3. the sweep's order: the blocks in order, inside a block by descending H_cc (actOrder);
//      for every block of columns [b, b + B), for every row: the block's scales (d, dmin,
//      sub-block scales and mins) from the type's own scale search (BlockGrid::search, the
//      imatrix path of llama-quantize's quantizer) on the row's CURRENT values (the original
//      weights plus every error update so far), with per-column importance from the Hessian
//      (options.importance); then column by column on those fixed scales: code = the type's
//      rounding of the current value (the search's own code when the value has not moved since
//      the search), q = its decoded value, err = (w - q) / U_cc, the block's remaining columns
//      updated with err * U[c, c+1:], later columns in lazy batches of lazyColumns.
//      With scaleCandidates, the block's scales are instead the best, by the block's own GPTQ
//      loss sum err^2 (the sweep above run inside the block), of several searches and scalings
//      of d, then improved by coordinate descent on the sub-block scale / min codes: GPTQ's
//      loss then picks the scales too, not only the codes.
//   4. with a cross matrix (asymmetric calibration, the second overload below) the sweep's target
//      is W + a W D (H + damp I)^-1 instead of W; with refinePasses, coordinate descent on the
//      final codes and sub-block scales lowers the damped layer loss to that target further.
//   The scale search's importance:
//      HessianDiagonal  H_cc (damped), the imatrix of the same inputs up to a factor;
//      InverseFactor    1 / U_cc^2 = 1 / [H_F^-1]_cc, F the columns not yet quantized: the
//                       weight of column c's error in the loss GPTQ minimises once the later
//                       columns compensate it (OBQ's (w - q)^2 / [H_F^-1]_cc).
//
// Output: the tensor's bytes (rows x the type's row bytes, llama.cpp's layout), the values
// those bytes decode to (bit for bit what the type's dequantizer returns), and the output error
// tr((W - Wq) H (W - Wq)^T) with the undamped H (dead columns: the input as given).
// With H = c I and scaleCandidates off no error is fed back and the bytes are those of the
// type's quantizer with a constant importance (tests/core/gptq_ggml_test.cpp).
//
// Calling it from a whole-model driver (per linear, block by block in sequential mode):
//   H = HessianAccumulator::take(layer, site); W = the engine's matrix as floats (any row
//   order: rows are independent); type = the mix's type for that tensor (plan/mixes.h);
//   r = ggufGptqQuantize(type, W, rows, cols, H, options, stop);
//   OwnedWeight::fromBytes(type, rows, cols, as_bytes(span(r->bytes))) -> Session::overrideWeight
//   and the GGUF writer takes r->bytes as the tensor's data. The output matrix uses the head's
//   Hessian (LinearSite::Output; a tied token_embd is that matrix); an untied token_embd uses
//   model/embedding_metric.h; a type this does not cover (shape fallbacks such as Q5_0) or a
//   failure goes to quantizeRows with importance diag(H) / tokens.
//
// Rows are independent given U: they run in parallel (oneTBB, inside the caller's arena), in
// chunks of rowsPerTask. Cost: the factorisation (2 n^3 / 3, gptq.h) plus about rows * n^2
// multiply-adds for the sweep and as many for the loss. Memory: two n x n double matrices at
// peak, W as doubles, the output bytes and floats.
//
// Errors (ErrorCode::InvalidArgument, never a crash): an unsupported type, shapes that do not
// match, cols not a multiple of the block size, non-finite W or H, an asymmetric H or a
// negative diagonal, an H that is not positive definite after damping (and its increments),
// an error compensation that overflows. ErrorCode::Cancelled when `stop` is requested
// (checked between panels of the factorisation and between blocks of the sweep). A caller
// that wants the "raise damping, warn, fall back" compares percDampUsed with percDamp
// and quantizes with the plain imatrix path (quantizeRows with importance) when this fails.

#include <cstdint>
#include <span>
#include <stop_token>
#include <vector>

#include "core/common/result.h"
#include "core/tensor/dtype.h"

namespace condense::quant {

enum class GgufGptqImportance : std::uint8_t { HessianDiagonal, InverseFactor };

struct GgufGptqOptions {
    double percDamp = 0.01;
    double dampIncrement = 0.0;         // > 0: retry with percDamp + k * increment while < 1
    GgufGptqImportance importance = GgufGptqImportance::InverseFactor; // measured better (bench)
    // Candidate scales per block and row: the search with the chosen importance, with the other
    // importance, and (types that have one) the search without importance, each also with its
    // super-block scale d times every factor below; the candidate whose column sweep over the
    // block gives the least GPTQ loss sum (w - q)^2 / U_cc^2 is kept. False: the search alone.
    bool scaleCandidates = true;
    std::vector<float> scaleFactors{0.88f, 0.91f, 0.94f, 0.97f, 1.03f, 1.06f, 1.09f, 1.12f};
    // Then coordinate descent on the kept candidate's sub-block scale and min codes (steps of
    // +-1, at most this many passes over them), a change kept when it lowers that loss.
    int subScalePasses = 2;
    // Inside each block, columns in order of descending H_cc (the block's scales are fixed at
    // its start, so any order inside it writes the same format).
    bool actOrder = true;
    // After the sweep: passes of coordinate descent on the final layer loss
    // (q - w)^T (H + damp I) (q - w) of every row (w: the sweep's target), over each element's
    // code (+-1 steps) and then each sub-block scale / min code (+-1), a change kept when it
    // lowers that loss (the gradient g = H (w - q) kept up to date). 0: the sweep's result.
    int refinePasses = 0;
    // Asymmetric calibration (GPTQv2 / GPTAQ) when a cross matrix D is given: the sweep aims at
    // W' = W + asymmetry * W D (H + damp I)^-1 instead of W (1: the least-squares target of the
    // original model's outputs; GPTAQ scales its own correction term by 0.25).
    double asymmetry = 1.0;
    std::int64_t lazyColumns = 256;     // lazy batch width, rounded up to whole blocks
    std::int64_t rowsPerTask = 16;      // rows per parallel task
};

struct GgufGptqResult {
    DType type = DType::Q4_K;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::vector<std::uint8_t> bytes;  // rows * rowBytes, the GGUF tensor data
    std::vector<float> dequantized;   // rows x cols, what `bytes` decode to
    double loss = 0.0;                // tr((W - Wq) H (W - Wq)^T), undamped H
    double damp = 0.0;                // value added to the diagonal of H
    double percDampUsed = 0.0;
    std::int64_t deadColumns = 0;
};

// The asymmetry to use with a cross matrix from `tokens` calibration rows for a layer of `cols`
// inputs: tokens / (tokens + shrink * cols) (0 when tokens <= 0). W D H^-1 is a regression
// estimate whose noise grows with cols / tokens: with few tokens the full correction overfits
// the calibration text (measured: demo model, 1024 tokens, Q4_K_M KLD 1.2x imatrix RTN's with
// a = 1, 0.66x with a = 0.25), with many it is the whole gain (tiny-llama, 16k tokens).
double ggufGptqAsymmetry(std::int64_t tokens, std::int64_t cols, double shrink) noexcept;

// The types ggufGptqQuantize accepts.
bool ggufGptqSupports(DType type) noexcept;

Result<GgufGptqResult> ggufGptqQuantize(DType type, std::span<const float> weight, std::int64_t rows,
                                        std::int64_t cols, std::span<const double> hessian,
                                        const GgufGptqOptions& options = {}, std::stop_token stop = {});

// Asymmetric calibration: `cross` = D = sum_t (xo_t - x_t) x_t^T (cols x cols, row-major;
// model/paired_input_accumulator.h), xo_t the original model's input of the token whose input
// in the quantized model is x_t (H = sum_t x_t x_t^T). Minimising sum_t |Q x_t - W xo_t|^2 is
// GPTQ on the target W' = W (I + D H^-1): the sweep runs on W' = W + a W D (H + damp I)^-1
// (a = options.asymmetry), computed in the processing order with H^-1 = U^T U. An empty
// `cross` (or a = 0) is the call above. The result's loss is still against W with H.
Result<GgufGptqResult> ggufGptqQuantize(DType type, std::span<const float> weight, std::int64_t rows,
                                        std::int64_t cols, std::span<const double> hessian,
                                        std::span<const double> cross, const GgufGptqOptions& options = {},
                                        std::stop_token stop = {});

// The same, consuming the cross matrix: where W D (rows x cols) is smaller than D (rows < cols,
// e.g. ffn_down), W D is formed first and D freed before the factorisation, so one cols^2 less
// is held at the peak. The result has the same bits as the call above.
Result<GgufGptqResult> ggufGptqQuantize(DType type, std::span<const float> weight, std::int64_t rows,
                                        std::int64_t cols, std::span<const double> hessian,
                                        std::vector<double>&& cross, const GgufGptqOptions& options = {},
                                        std::stop_token stop = {});

} // namespace condense::quant
