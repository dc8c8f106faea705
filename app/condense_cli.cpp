// condense-cli: everything the GUI does, headless. Thin: parsing and printing only; the work
// is in condense_core.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <unistd.h>

#include "app/cli_commands.h"

int main(int argc, char** argv)
{
    CLI::App app{"Condense: quantize local LLMs and measure what it cost", "condense-cli"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(CONDENSE_VERSION));

    condense::cli::InspectOptions inspect;
    auto* ins = app.add_subcommand("inspect", "Show what a model file or folder holds");
    ins->add_option("PATH", inspect.path, "Hugging Face folder, .safetensors or .gguf")->required();
    ins->add_flag("--json", inspect.json, "Write the report as JSON to stdout");

    condense::cli::QuantizeOptions quant;
    auto* q = app.add_subcommand("quantize", "Convert or quantize a model into GGUF");
    q->add_option("INPUT", quant.input, "Hugging Face folder, .safetensors or .gguf")->required();
    q->add_option("-o,--output", quant.output, "Output .gguf file")->required();
    q->add_option("--type", quant.type, "Output type: F32, F16, BF16")->default_val("F16");
    q->add_option("--threads", quant.threads, "Worker threads (0: all cores)")->default_val(0)->check(CLI::NonNegativeNumber);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    const bool progressToTty = ::isatty(STDERR_FILENO) != 0;
    if (*ins) return condense::cli::runInspect(inspect);
    if (*q) return condense::cli::runQuantize(quant, progressToTty);
    return 2;
}
