// condense-cli: everything the GUI does, headless. Thin: parsing and printing only; the work
// is in condense_core.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <unistd.h>

#include "app/cli_analyze.h"
#include "app/cli_commands.h"
#include "app/cli_eval.h"
#include "app/cli_plan.h"
#include "app/cli_run.h"
#include "app/cli_tokenize.h"

int main(int argc, char** argv)
{
    CLI::App app{"Condense: quantize local LLMs and measure what it cost", "condense-cli"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(CONDENSE_VERSION));

    condense::cli::InspectOptions inspect;
    auto* ins = app.add_subcommand("inspect", "Show what a model file or folder holds");
    ins->add_option("PATH", inspect.path, "Hugging Face folder, .safetensors or .gguf")->required();
    ins->add_flag("--json", inspect.json, "Write the report as JSON to stdout");

    condense::cli::AnalyzeOptions an;
    auto* anc = app.add_subcommand("analyze", "Weight statistics, histograms, outliers and quantization previews of a model's "
                                              "tensors, without running it");
    anc->add_option("MODEL", an.model, "Hugging Face folder, .safetensors or .gguf")->required();
    anc->add_option("--tensor", an.tensorRegex, "Only tensors whose name matches this regex (PCRE2, searched)");
    anc->add_option("--preview-type", an.previewType,
                    "Quantize-dequantize every tensor as this ggml type (Q4_K, Q8_0, ...) or as this llama-quantize mix "
                    "would (Q4_K_M, ...) and report the error");
    anc->add_option("--imatrix", an.imatrix, "Importance matrix: the preview quantizes with it and reports the weighted error");
    anc->add_option("--json", an.json, "Write the report as JSON to this file ('-' for stdout instead of the table)");
    anc->add_flag("--histogram", an.histogram, "Include histograms, outlier maps and per-column norms in the JSON");
    anc->add_flag("--no-cache", an.noCache, "Neither read nor write the analysis cache ($XDG_CACHE_HOME/condense)");
    anc->add_option("--threads", an.threads, "Worker threads (0: all cores)")->default_val(0)->check(CLI::NonNegativeNumber);

    condense::cli::QuantizeOptions quant;
    auto* q = app.add_subcommand("quantize", "Convert or quantize a model into GGUF");
    q->add_option("INPUT", quant.input, "Hugging Face folder, .safetensors or .gguf")->required();
    q->add_option("-o,--output", quant.output,
                  "Output .gguf file, or the output folder for --format gptq|awq|compressed-tensors (required unless --dry-run)");
    auto* qType = q->add_option("--type", quant.type,
                  "F32, F16, BF16 (float conversion) or a llama-quantize mix: Q2_K, Q2_K_S, Q3_K_S, Q3_K_M, Q3_K_L, "
                  "Q4_0, Q4_1, Q4_K_S, Q4_K_M, Q5_0, Q5_1, Q5_K_S, Q5_K_M, Q6_K, Q8_0, IQ4_NL, IQ4_XS")
        ->default_val("F16");
    q->add_option("--threads", quant.threads, "Worker threads (0: all cores)")->default_val(0)->check(CLI::NonNegativeNumber);
    q->add_option("--imatrix", quant.imatrix, "Importance matrix from llama-imatrix (GGUF or legacy .dat)");
    q->add_option("--tensor-type", quant.tensorTypes,
                  "REGEX=TYPE: tensors whose name matches REGEX get TYPE instead of the mix's choice "
                  "(repeatable, first match wins, as llama-quantize)");
    q->add_option("--output-tensor-type", quant.outputTensorType, "Type of output.weight");
    q->add_option("--token-embedding-type", quant.tokenEmbeddingType, "Type of token_embd.weight");
    q->add_flag("--pure", quant.pure, "No mix rules: the mix's default type for every quantized tensor");
    q->add_flag("--leave-output-tensor", quant.leaveOutputTensor, "Keep output.weight unquantized");
    q->add_option("--plan", quant.plan, "Replay a plan JSON file (from --plan-out or the GUI) instead of a mix");
    q->add_option("--plan-out", quant.planOut, "Write the plan followed (or, with --dry-run, planned) as JSON");
    q->add_flag("--dry-run", quant.dryRun, "Print the plan (tensor, shape, type, bytes) and totals; write no model");
    q->add_flag("--json", quant.json, "With --dry-run: print the plan as JSON");
    q->add_option("--format", quant.format,
                  "gguf (a file), or a Hugging Face quantized checkpoint folder: gptq (AutoGPTQ v1; gptq_v2 with --asym), "
                  "awq (AutoAWQ GEMM), compressed-tensors (pack-quantized, as llm-compressor writes)")
        ->default_val("gguf")
        ->check(CLI::IsMember({"gguf", "gptq", "awq", "compressed-tensors"}));
    q->add_option("--method", quant.method,
                  "rtn (round to nearest), imatrix (GGUF with --imatrix), gptq, awq; default: rtn for GGUF types (imatrix with "
                  "--imatrix), gptq for --format gptq, awq for --format awq, rtn for compressed-tensors")
        ->check(CLI::IsMember({"rtn", "imatrix", "gptq", "awq"}));
    auto* qBits = q->add_option("--bits", quant.bits, "Bits per weight of the HF formats: 2, 3, 4, 8 (gptq), 4, 8 "
                                                      "(compressed-tensors), 4 (awq)")->default_val(4);
    auto* qGroup = q->add_option("--group", quant.group, "Input columns per scale of the HF formats (-1: one per output row)")
                       ->default_val(128);
    auto* qSym = q->add_flag("--sym", quant.sym, "Symmetric grid (default for gptq and compressed-tensors)");
    q->add_flag("--asym", quant.asym, "Grid with zero points (default for awq; gptq writes it as gptq_v2)")->excludes(qSym);
    q->add_flag("--act-order", quant.actOrder, "GPTQ's desc_act: quantize columns by decreasing Hessian diagonal");
    q->add_option("--calibration", quant.calibration, "Calibration text for gptq/awq: a bundled set or a text file");
    q->add_option("--calibration-tokens", quant.calibrationTokens, "Calibration tokens to use (0: the set's default)")
        ->default_val(0)
        ->check(CLI::NonNegativeNumber);

    condense::cli::CalibrateOptions cal;
    auto* calc = app.add_subcommand("calibrate", "Importance matrix (imatrix) of a model over a calibration text, as "
                                               "llama-imatrix computes and writes it (for quantize --imatrix)");
    calc->add_option("MODEL", cal.model, "Hugging Face folder, .safetensors or .gguf")->required();
    calc->add_option("--set", cal.set,
                     "A bundled set (general, code, chat, multilingual: its calibration part), or a text file (UTF-8, "
                     "used whole as llama-imatrix -f), a .jsonl of chat dialogues, or a folder of such files")
        ->required();
    calc->add_option("--tokens", cal.tokens, "Use at most the first N tokens, in whole chunks (0: the whole text)")
        ->default_val(0)
        ->check(CLI::NonNegativeNumber);
    calc->add_option("--ctx", cal.ctx, "Tokens per chunk (llama-imatrix -c)")->default_val(512)->check(CLI::Range(16, 1 << 20));
    calc->add_option("-o,--output", cal.output, "Output imatrix .gguf")->required();
    calc->add_option("--threads", cal.threads, "Worker threads (0: all cores)")->default_val(0)->check(CLI::NonNegativeNumber);

    condense::cli::EvalOptions ev;
    auto* evc = app.add_subcommand("eval", "Perplexity, KL divergence, top-token agreement, accuracy and per-layer drift of "
                                         "candidates against a base model");
    evc->add_option("MODELS", ev.models, "BASE [CANDIDATE ...]: Hugging Face folders, .safetensors or .gguf")->required();
    evc->add_option("--text", ev.text, "Evaluation text (UTF-8)")->required();
    evc->add_option("--ctx", ev.ctx, "Context length of a chunk")->default_val(512)->check(CLI::Range(2, 1 << 20));
    evc->add_option("--protocol", ev.protocol,
                  "a: every position of each chunk, no BOS (transformers-style); b: llama-perplexity's (BOS, second half)")
        ->default_val("b");
    evc->add_option("--chunks", ev.chunks, "Evaluate only the first N chunks (0: all)")->default_val(0)->check(CLI::NonNegativeNumber);
    evc->add_option("--mc", ev.mc, "Multiple-choice tasks in llama.cpp's HellaSwag text format (6 lines per task)");
    evc->add_option("--mc-tasks", ev.mcTasks, "Use only the first N tasks of --mc (0: all)")->default_val(0)->check(CLI::NonNegativeNumber);
    evc->add_option("--continuation", ev.continuation,
                  "Built-in multiple-choice tasks made from the text: the true next span against three from elsewhere")
        ->default_val(0)->check(CLI::NonNegativeNumber);
    evc->add_option("--drift-chunks", ev.driftChunks, "Chunks whose hidden states feed the per-layer drift")->default_val(4)->check(CLI::NonNegativeNumber);
    evc->add_flag("--latency", ev.latency, "Also measure pp512/tg128 tokens per second of every model");
    evc->add_option("--json", ev.json, "Write the report as JSON to this file ('-' for stdout instead of the table)");
    evc->add_option("--threads", ev.threads, "Worker threads (0: all cores)")->default_val(0)->check(CLI::NonNegativeNumber);

    condense::cli::RunOptions ro;
    auto* runc = app.add_subcommand("run", "The whole pipeline: quantize a model, evaluate it against the original and write the "
                                        "GGUF, report.json and report.html into a folder");
    runc->add_option("MODEL", ro.model, "Hugging Face folder, .safetensors or .gguf")->required();
    runc->add_option("-o,--output", ro.output, "Output folder (created when missing): <model>-<TYPE>.gguf, report.json, report.html")
        ->required();
    auto* rcType = runc->add_option("--type", ro.type, "A llama-quantize mix (as quantize --type: Q4_K_M, Q8_0, ...)")->default_val("Q4_K_M");
    auto* rcPlan = runc->add_option("--plan", ro.plan, "Follow this plan JSON file (from quantize --plan-out or the GUI) instead of a mix")->excludes(rcType);
    runc->add_option("--profile", ro.profile, "Plan for this hardware profile (see `profiles`): the best mix that fits it")
        ->excludes(rcType)
        ->excludes(rcPlan);
    runc->add_option("--ctx", ro.ctx, "With --profile: the context the model must hold on that machine")->default_val(4096)->check(CLI::Range(1, 1 << 24));
    runc->add_option("--kv-type", ro.kvType, "With --profile: KV-cache type, f16 or q8_0")->default_val("f16");
    runc->add_option("--imatrix", ro.imatrix, "Importance matrix from llama-imatrix (GGUF or legacy .dat)");
    runc->add_option("--eval-ctx", ro.evalCtx, "Context length of an evaluation chunk")->default_val(512)->check(CLI::Range(2, 1 << 20));
    runc->add_option("--chunks", ro.chunks, "Evaluate only the first N chunks (0: all)")->default_val(0)->check(CLI::NonNegativeNumber);
    runc->add_option("--continuation", ro.continuation, "Built-in multiple-choice tasks made from the text")
        ->default_val(40)->check(CLI::NonNegativeNumber);
    runc->add_option("--eval-text", ro.evalText, "Evaluation text (UTF-8; default: the bundled public-domain sample)");
    runc->add_option("--method", ro.method,
                     "rtn, imatrix (with --imatrix), gptq (GGUF: GPTQ inside the mix's types), awq (--format awq); default "
                     "as quantize --method")
        ->check(CLI::IsMember({"rtn", "imatrix", "gptq", "awq"}));
    runc->add_option("--calibration", ro.calibration, "Calibration text for gptq/awq: a bundled set or a text file (default general)");
    runc->add_option("--calibration-tokens", ro.calibrationTokens, "Calibration tokens to use (0: the default)")
        ->default_val(0)
        ->check(CLI::NonNegativeNumber);
    runc->add_option("--format", ro.format,
                                      "gguf (a file), or a Hugging Face quantized folder as quantize --format: gptq, awq, "
                                      "compressed-tensors")
                         ->default_val("gguf")
                         ->check(CLI::IsMember({"gguf", "gptq", "awq", "compressed-tensors"}));
    auto* rcBits = runc->add_option("--bits", ro.bits, "Bits per weight of the HF formats (as quantize --bits)")->default_val(4);
    auto* rcGroup = runc->add_option("--group", ro.group, "Input columns per scale of the HF formats (-1: one per output row)")
                        ->default_val(128);
    auto* rcSym = runc->add_flag("--sym", ro.sym, "Symmetric grid (default for gptq and compressed-tensors)");
    runc->add_flag("--asym", ro.asym, "Grid with zero points (default for awq)")->excludes(rcSym);
    runc->add_flag("--act-order", ro.actOrder, "GPTQ's desc_act (method gptq)");
    runc->add_flag("--no-latency", ro.noLatency, "Skip measuring pp/tg tokens per second");
    runc->add_flag("--overwrite", ro.overwrite, "Replace existing output files");
    runc->add_option("--threads", ro.threads, "Worker threads (0: all cores)")->default_val(0)->check(CLI::NonNegativeNumber);

    condense::cli::BenchOptions bo;
    auto* bc = app.add_subcommand("bench", "Prompt-processing and generation speed (as llama-bench measures them)");
    bc->add_option("MODEL", bo.model, "Hugging Face folder, .safetensors or .gguf")->required();
    bc->add_option("-p,--prompt", bo.prompt, "Prompt tokens (pp)")->default_val(512)->check(CLI::NonNegativeNumber);
    bc->add_option("-n,--gen", bo.gen, "Generated tokens (tg)")->default_val(128)->check(CLI::NonNegativeNumber);
    bc->add_option("-r,--repetitions", bo.repetitions, "Repetitions (after one warm-up)")->default_val(3)->check(CLI::Range(1, 1000));
    bc->add_option("--threads", bo.threads, "Worker threads (0: all cores)")->default_val(0)->check(CLI::NonNegativeNumber);
    bc->add_flag("--json", bo.json, "Write the figures as JSON");

    condense::cli::GenerateOptions go;
    auto* gc = app.add_subcommand("generate", "Greedy continuation of a prompt, for a quick look");
    gc->add_option("MODEL", go.model, "Hugging Face folder, .safetensors or .gguf")->required();
    gc->add_option("--prompt", go.prompt, "Prompt text")->required();
    gc->add_option("-n", go.tokens, "Tokens to generate")->default_val(64)->check(CLI::Range(1, 100000));
    gc->add_option("--threads", go.threads, "Worker threads (0: all cores)")->default_val(0)->check(CLI::NonNegativeNumber);

    condense::cli::TokenizeOptions to;
    auto* tk = app.add_subcommand("tokenize", "Token ids and pieces of a text under a model's tokenizer (as llama-tokenize)");
    tk->add_option("MODEL", to.model, "Hugging Face folder, .safetensors or .gguf (a vocabulary-only GGUF too)")->required();
    auto* tkInput = tk->add_option_group("input", "The text to tokenize (one of)");
    tkInput->add_option("--text", to.text, "Text to tokenize (UTF-8)");
    tkInput->add_option("--file", to.file, "File whose whole content is tokenized");
    tkInput->require_option(1);
    tk->add_flag("--no-special", to.noSpecial, "Add no BOS/EOS and read special-token text (\"<s>\") as plain text");
    tk->add_flag("--json", to.json, "Print {\"ids\": [...], \"pieces\": [...]} instead of id<TAB>piece lines");

    condense::cli::ProfilesOptions po;
    auto* pc = app.add_subcommand("profiles", "List the hardware profiles (built-in and the user's) the planner knows");
    pc->add_flag("--json", po.json, "Print the profiles as JSON");

    condense::cli::PlanOptions pl;
    auto* plc = app.add_subcommand("plan", "Pick the best llama-quantize mix that fits a hardware profile, with memory, offload "
                                         "and predicted speed (a folder holding only config.json is enough)");
    plc->add_option("MODEL", pl.model, "Hugging Face folder (config.json alone will do), .safetensors or .gguf")->required();
    plc->add_option("--profile", pl.profile, "Hardware profile id (see `condense-cli profiles`)")->required();
    plc->add_option("--ctx", pl.ctx, "Context length the model must hold")->default_val(4096)->check(CLI::Range(1, 1 << 24));
    plc->add_option("--kv-type", pl.kvType, "KV cache type: f16 or q8_0")->default_val("f16")->check(CLI::IsMember({"f16", "q8_0"}));
    plc->add_flag("--json", pl.json, "Print the result as JSON");
    plc->add_option("--plan-out", pl.planOut, "Write the chosen plan as JSON (replay with `quantize --plan`)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    const bool progressToTty = ::isatty(STDERR_FILENO) != 0;
    if (*ins) return condense::cli::runInspect(inspect);
    if (*anc) return condense::cli::runAnalyze(an, progressToTty);
    if (*q) {
        quant.typeGiven = qType->count() > 0;
        quant.bitsGiven = qBits->count() > 0 || qGroup->count() > 0;
        return condense::cli::runQuantize(quant, progressToTty);
    }
    if (*calc) return condense::cli::runCalibrate(cal, progressToTty);
    if (*evc) return condense::cli::runEval(ev, progressToTty);
    if (*runc) {
        ro.bitsGiven = rcBits->count() > 0 || rcGroup->count() > 0;
        ro.typeGiven = rcType->count() > 0;
        return condense::cli::runRun(ro, progressToTty);
    }
    if (*bc) return condense::cli::runBench(bo);
    if (*gc) return condense::cli::runGenerate(go);
    if (*tk) return condense::cli::runTokenize(to);
    if (*pc) return condense::cli::runProfiles(po);
    if (*plc) return condense::cli::runPlan(pl);
    return 2;
}
