#include "tests/support/test_paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/gguf_file.h"
#include "tests/support/sha256.h"
#include "tests/support/temp_dir.h"

namespace condense::test {

namespace {

namespace fs = std::filesystem;

// The model files of resources/demo that make the Hugging Face folder (README.md is not one).
constexpr const char* kDemoFiles[] = {"config.json",     "generation_config.json",  "model.safetensors",    "special_tokens_map.json",
                                      "tokenizer.json",  "tokenizer.model",         "tokenizer_config.json"};
// tests/data/tiny-llama-spm files linked beside them (as in ../shared/models/tiny-llama-spm).
constexpr const char* kTinyDataFiles[] = {"sentencepiece_trainer_args.json"};
constexpr const char* kGoldenFiles[] = {"logits.json",
                                        "logits_prompt0.bin",
                                        "logits_prompt1.bin",
                                        "logits_prompt2.bin",
                                        "perplexity.json",
                                        "tokenizer.json",
                                        "nll_first_chunk_ctx256_corpus-val.bin"};
constexpr const char* kReferenceDataFiles[] = {"tiny-llama-spm-imatrix.gguf", "tiny-llama-spm-F16.gguf.json"};
// Made by condense-cli, in this order (each quantized one from the F16 file), and checked
// against the llama.cpp file's manifest.
constexpr const char* kMadeTypes[] = {"F16", "Q8_0", "Q4_0", "Q4_K_M", "Q4_K_M-imat"};

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

void linkTo(const fs::path& target, const fs::path& link)
{
    requireFile(target);
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(link, ec))) {
        if (fs::read_symlink(link, ec) == target) return;
        fs::remove(link, ec);
    }
    fs::create_symlink(target, link, ec);
    if (ec && !fs::is_symlink(fs::symlink_status(link))) ADD_FAILURE() << "cannot link " << link << " to " << target << ": " << ec.message();
}

fs::path tinyDataDir() { return dataDir() / "tiny-llama-spm"; }
fs::path assembledDir() { return binaryDir() / "test-data" / "models"; }
fs::path madeFile(const char* type) { return assembledDir() / "tiny-llama-spm" / "reference-gguf" / (std::string("tiny-llama-spm-") + type + ".gguf"); }

struct Manifest {
    bool ok = false;
    nlohmann::json j;
};

Manifest readManifest(const char* type)
{
    const fs::path p = tinyDataDir() / "reference-gguf" / (std::string("tiny-llama-spm-") + type + ".manifest.json");
    Manifest m;
    if (!fs::exists(requireFile(p))) return m;
    try {
        std::ifstream in(p);
        m.j = nlohmann::json::parse(in);
        m.j.at("sha256").get<std::string>();
        m.j.at("bytes").get<std::uint64_t>();
        m.ok = true;
    } catch (const std::exception& e) {
        ADD_FAILURE() << p << ": not a manifest: " << e.what();
    }
    return m;
}

std::string stampOf(const fs::path& p, const std::string& sha)
{
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    const auto time = fs::last_write_time(p, ec).time_since_epoch().count();
    return sha + " " + std::to_string(size) + " " + std::to_string(time) + "\n";
}

// What differs between a made file and the llama.cpp file's manifest (for the failure message).
std::string describeDifference(const fs::path& made, const nlohmann::json& m)
{
    std::ostringstream os;
    os << "sha256 " << sha256File(made) << ", " << fs::file_size(made) << " bytes; want " << m["sha256"].get<std::string>() << ", "
       << m["bytes"].get<std::uint64_t>() << " bytes";
    auto g = io::GgufFile::open(made);
    if (!g) return os.str() + "; not readable as GGUF: " + describe(g.error());
    const auto& kv = (*g)->metadata();
    const auto& wantKv = m["metadata"];
    if (kv.size() != wantKv.size()) os << "; " << kv.size() << " metadata keys, want " << wantKv.size();
    for (std::size_t i = 0; i < std::min(kv.size(), wantKv.size()); ++i)
        if (kv[i].key != wantKv[i]["key"].get<std::string>()) {
            os << "; metadata key " << i << " is " << kv[i].key << ", want " << wantKv[i]["key"].get<std::string>();
            break;
        }
    const auto& t = (*g)->tensors();
    const auto& wantT = m["tensors"];
    if (t.size() != wantT.size()) os << "; " << t.size() << " tensors, want " << wantT.size();
    for (std::size_t i = 0; i < std::min(t.size(), wantT.size()); ++i) {
        const auto data = (*g)->tensorData(i);
        const std::string sha = sha256Hex(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
        if (t[i].name != wantT[i]["name"].get<std::string>() || sha != wantT[i]["sha256"].get<std::string>()) {
            os << "; first different tensor: " << i << " " << t[i].name << " (want " << wantT[i]["name"].get<std::string>() << ", "
               << wantT[i]["type"].get<std::string>() << ", sha256 " << wantT[i]["sha256"].get<std::string>() << ")";
            return os.str();
        }
    }
    std::string head(m["data_offset"].get<std::size_t>(), '\0');
    std::ifstream in(made, std::ios::binary);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    if (sha256Hex(head) != m["header_sha256"].get<std::string>()) os << "; every tensor matches, the header (metadata, tensor infos) differs";
    return os.str();
}

// Makes (or checks the earlier made) tiny-llama-spm-<type>.gguf. Parallel test processes may do
// this at once: each writes its own temporary file and renames it into place, and the bytes
// are the same.
void make(const char* type)
{
    const Manifest m = readManifest(type);
    if (!m.ok) return;
    const std::string want = m.j["sha256"].get<std::string>();
    const fs::path out = madeFile(type);
    const fs::path stamp = out.string() + ".verified";
    std::error_code ec;
    if (fs::exists(out, ec)) {
        if (readFileIfExists(stamp) == stampOf(out, want)) return;
        if (sha256File(out) == want) {
            writeFile(stamp, stampOf(out, want));
            return;
        }
    }
    const fs::path tmpDir = binaryDir() / "test-data" / ("tmp-" + std::to_string(::getpid()));
    fs::create_directories(tmpDir);
    const fs::path tmp = tmpDir / out.filename();
    const fs::path refDir = out.parent_path();
    std::string cmd;
    if (std::strcmp(type, "F16") == 0) {
        cmd = q(cliPath()) + " quantize " + q(assembledDir() / "tiny-llama-spm") + " -o " + q(tmp) + " --type F16";
    } else {
        // From the reference folder with relative names, as llama-quantize was run (the imatrix
        // file name is recorded in the output).
        const bool imat = std::strcmp(type, "Q4_K_M-imat") == 0;
        cmd = "cd " + q(refDir) + " && " + q(cliPath()) + " quantize tiny-llama-spm-F16.gguf -o " + q(tmp) + " --type " +
              (imat ? std::string("Q4_K_M --imatrix tiny-llama-spm-imatrix.gguf") : std::string(type));
    }
    const auto r = runCommand(cmd);
    if (r.exitCode != 0) {
        ADD_FAILURE() << "cannot make " << out.filename() << " (" << cmd << "): exit " << r.exitCode << "\n" << r.err;
    } else if (sha256File(tmp) != want) {
        ADD_FAILURE() << out.filename() << " made by `" << cmd << "` is not llama.cpp's file (manifest "
                      << (tinyDataDir() / "reference-gguf" / (std::string("tiny-llama-spm-") + type + ".manifest.json")) << "): "
                      << describeDifference(tmp, m.j);
    } else {
        fs::rename(tmp, out, ec);
        if (ec) ADD_FAILURE() << "cannot rename " << tmp << " to " << out << ": " << ec.message();
        else writeFile(stamp, stampOf(out, want));
    }
    fs::remove_all(tmpDir, ec);
}

void assemble()
{
    const fs::path tiny = assembledDir() / "tiny-llama-spm";
    fs::create_directories(tiny / "golden");
    fs::create_directories(tiny / "reference-gguf");
    fs::create_directories(assembledDir() / "eval");
    for (const char* f : kDemoFiles) linkTo(demoDir() / f, tiny / f);
    for (const char* f : kTinyDataFiles) linkTo(tinyDataDir() / f, tiny / f);
    for (const char* f : kGoldenFiles) linkTo(tinyDataDir() / "golden" / f, tiny / "golden" / f);
    for (const char* f : kReferenceDataFiles) linkTo(tinyDataDir() / "reference-gguf" / f, tiny / "reference-gguf" / f);
    linkTo(dataDir() / "eval" / "corpus-val.txt", assembledDir() / "eval" / "corpus-val.txt");
    if (extendedData()) {
        linkTo(sharedDir() / "models" / "small-qwen2-bpe", assembledDir() / "small-qwen2-bpe");
        linkTo(sharedDir() / "models" / "eval" / "wikitext-2-raw-test.txt", assembledDir() / "eval" / "wikitext-2-raw-test.txt");
    }
    requireFile(cliPath());
    for (const char* type : kMadeTypes) make(type);
}

void ensureAssembled()
{
    static std::once_flag once;
    std::call_once(once, assemble);
}

} // namespace

std::filesystem::path sourceDir() { return CONDENSE_SOURCE_DIR; }
std::filesystem::path binaryDir() { return CONDENSE_BINARY_DIR; }
std::filesystem::path cliPath() { return binaryDir() / "app" / "condense-cli"; }
std::filesystem::path dataDir() { return sourceDir() / "tests" / "data"; }
std::filesystem::path demoDir() { return sourceDir() / "resources" / "demo"; }

std::filesystem::path modelsDir()
{
    ensureAssembled();
    return assembledDir();
}

std::filesystem::path tinyLlamaDir() { return modelsDir() / "tiny-llama-spm"; }

std::filesystem::path referenceGguf(const char* type)
{
    return requireFile(tinyLlamaDir() / "reference-gguf" / (std::string("tiny-llama-spm-") + type + ".gguf"));
}

std::filesystem::path tinyQwen2Dir()
{
    const fs::path dir = dataDir() / "tiny-qwen2-bf16-sharded";
    for (const char* f : {"config.json", "generation_config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                          "model.safetensors.index.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json",
                          "expected.json", "golden/tokenizer.json"})
        requireFile(dir / f);
    return dir;
}

bool extendedData() { return CONDENSE_EXTENDED != 0; }

std::filesystem::path sharedDir()
{
    if (!extendedData()) ADD_FAILURE() << "an extended test ran without the extended data (CONDENSE_SHARED_DIR " << CONDENSE_SHARED_DIR << ")";
    return CONDENSE_SHARED_DIR;
}

std::filesystem::path qwen2Dir() { return requireFile(sharedDir() / "models" / "small-qwen2-bpe"); }
std::filesystem::path sharedTinyLlamaDir() { return requireFile(sharedDir() / "models" / "tiny-llama-spm"); }

const std::filesystem::path& requireFile(const std::filesystem::path& p)
{
    std::error_code ec;
    if (!fs::exists(p, ec)) ADD_FAILURE() << "missing test data: " << p;
    return p;
}

} // namespace condense::test
