// `condense-cli inspect` end to end: every reference GGUF in ../shared/models listed tensor by
// tensor with the right types, in the text table and in --json; both HF folders; usage errors.
// Expected types come from the gguf-py listing of the F16 file and llama-quantize's rules
// (F32 norms stay F32; output.weight is Q6_K except for Q8_0), never from our own reader.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <sstream>

#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

CommandResult inspect(const fs::path& p, bool asJson)
{
    return runCommand(q(cliPath()) + " inspect " + q(p) + (asJson ? " --json" : ""));
}

struct Row {
    std::string type;
    std::vector<std::uint64_t> shape;
    std::uint64_t bytes = 0;
};

// The text table: after "tensors (N):", lines "  <name>  <type>  [d0, d1]  <bytes>".
std::map<std::string, Row> parseTextTable(const std::string& out, std::size_t* announced)
{
    std::map<std::string, Row> rows;
    std::istringstream in(out);
    std::string line;
    bool inTable = false;
    while (std::getline(in, line)) {
        if (line.rfind("tensors (", 0) == 0) {
            inTable = true;
            *announced = std::stoul(line.substr(9));
            continue;
        }
        if (!inTable || line.empty()) continue;
        std::istringstream ls(line);
        std::string name;
        Row r;
        ls >> name >> r.type;
        const auto open = line.find('['), close = line.find(']');
        std::string dims = line.substr(open + 1, close - open - 1);
        for (auto& ch : dims)
            if (ch == ',') ch = ' ';
        std::istringstream ds(dims);
        for (std::uint64_t d; ds >> d;) r.shape.push_back(d);
        r.bytes = std::stoull(line.substr(close + 1));
        rows[name] = r;
    }
    return rows;
}

// name -> (type, shape outermost first) from the gguf-py listing of the F16 reference.
std::vector<std::pair<std::string, Row>> f16Listing()
{
    const json ref = json::parse(readFile(tinyLlamaDir() / "reference-gguf" / "tiny-llama-spm-F16.gguf.json"));
    std::vector<std::pair<std::string, Row>> v;
    for (const auto& t : ref["tensors"]) {
        Row r;
        r.type = t["type"].get<std::string>();
        r.shape = t["shape"].get<std::vector<std::uint64_t>>();
        std::reverse(r.shape.begin(), r.shape.end());
        v.emplace_back(t["name"].get<std::string>(), r);
    }
    return v;
}

std::string expectedType(const std::string& file, const std::string& name, const std::string& f16Type)
{
    if (f16Type == "F32") return "F32";
    if (file == "F16") return "F16";
    if (name == "output.weight" && file != "Q8_0") return "Q6_K";
    return file; // Q8_0, Q4_0
}

void checkReference(const std::string& file)
{
    SCOPED_TRACE(file);
    const fs::path p = referenceGguf(file.c_str());
    const auto text = inspect(p, false);
    ASSERT_EQ(text.exitCode, 0) << text.err;
    EXPECT_EQ(text.err, "");
    std::size_t announced = 0;
    const auto rows = parseTextTable(text.out, &announced);
    EXPECT_EQ(announced, 57u);
    EXPECT_EQ(rows.size(), 57u);
    EXPECT_NE(text.out.find("format:        GGUF"), std::string::npos);
    EXPECT_NE(text.out.find("architecture:  llama"), std::string::npos);
    EXPECT_NE(text.out.find("(6819072)"), std::string::npos); // parameters, models README

    const auto js = inspect(p, true);
    ASSERT_EQ(js.exitCode, 0) << js.err;
    const json j = json::parse(js.out); // throws (test fails) on invalid JSON
    EXPECT_EQ(j["format"], "GGUF");
    EXPECT_EQ(j["architecture"], "llama");
    EXPECT_EQ(j["parameters"].get<std::uint64_t>(), 6'819'072u);
    ASSERT_EQ(j["tensors"].size(), 57u);

    std::map<std::string, json> jt;
    for (const auto& t : j["tensors"]) jt[t["name"].get<std::string>()] = t;
    std::set<std::string> types;
    std::map<std::string, std::size_t> perType;
    std::uint64_t sumBytes = 0;
    for (const auto& [name, ref] : f16Listing()) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(rows.count(name));
        ASSERT_TRUE(jt.count(name));
        const Row& r = rows.at(name);
        const json& t = jt.at(name);
        EXPECT_EQ(r.shape, ref.shape);
        EXPECT_EQ(t["shape"].get<std::vector<std::uint64_t>>(), ref.shape);
        EXPECT_EQ(r.type, t["type"].get<std::string>());
        EXPECT_EQ(r.bytes, t["bytes"].get<std::uint64_t>());
        types.insert(r.type);
        ++perType[r.type];
        sumBytes += r.bytes;
        if (file.rfind("Q4_K_M", 0) == 0) {
            EXPECT_TRUE(ref.type == "F32" ? r.type == "F32" : (r.type == "Q4_K" || r.type == "Q6_K")) << r.type;
        } else {
            EXPECT_EQ(r.type, expectedType(file, name, ref.type));
        }
    }
    EXPECT_EQ(j["bytes"].get<std::uint64_t>(), sumBytes);
    // The per-type summary agrees with the table.
    for (const auto& d : j["dtypes"]) EXPECT_EQ(d["tensors"].get<std::size_t>(), perType[d["type"].get<std::string>()]);
    if (file.rfind("Q4_K_M", 0) == 0) {
        EXPECT_EQ(types, (std::set<std::string>{"F32", "Q4_K", "Q6_K"}));
    }
}

TEST(CliInspect, ReferenceF16) { checkReference("F16"); }
TEST(CliInspect, ReferenceQ8_0) { checkReference("Q8_0"); }
TEST(CliInspect, ReferenceQ4_0) { checkReference("Q4_0"); }
TEST(CliInspect, ReferenceQ4_K_M) { checkReference("Q4_K_M"); }
TEST(CliInspect, ReferenceQ4_K_MImatrix) { checkReference("Q4_K_M-imat"); }

TEST(CliInspect, EveryGgufUnderModelsIsListed)
{
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(modelsDir())) {
        if (e.path().extension() != ".gguf") continue;
        ++n;
        SCOPED_TRACE(e.path().string());
        const auto js = inspect(e.path(), true);
        ASSERT_EQ(js.exitCode, 0) << js.err;
        const json j = json::parse(js.out);
        EXPECT_FALSE(j["tensors"].empty());
        const auto text = inspect(e.path(), false);
        ASSERT_EQ(text.exitCode, 0) << text.err;
        std::size_t announced = 0;
        const auto rows = parseTextTable(text.out, &announced);
        EXPECT_EQ(rows.size(), j["tensors"].size());
        for (const auto& t : j["tensors"]) EXPECT_EQ(rows.at(t["name"].get<std::string>()).type, t["type"].get<std::string>());
    }
    EXPECT_EQ(n, 6u);
}

TEST(CliInspect, ImatrixFile)
{
    const auto text = inspect(referenceGguf("imatrix"), false);
    ASSERT_EQ(text.exitCode, 0) << text.err;
    EXPECT_NE(text.out.find("architecture:  none (general.type imatrix)"), std::string::npos) << text.out;
}

void checkFolder(const fs::path& dir, const char* arch, std::uint64_t params, std::size_t tensors, const char* dtype)
{
    SCOPED_TRACE(dir.string());
    const json cfg = json::parse(readFile(dir / "config.json"));
    const auto js = inspect(dir, true);
    ASSERT_EQ(js.exitCode, 0) << js.err;
    const json j = json::parse(js.out);
    EXPECT_EQ(j["format"], "Hugging Face folder");
    EXPECT_EQ(j["architecture"], arch);
    EXPECT_EQ(j["parameters"].get<std::uint64_t>(), params);
    EXPECT_EQ(j["tensors"].size(), tensors);
    EXPECT_EQ(j["spec"]["hidden_size"], cfg["hidden_size"]);
    EXPECT_EQ(j["spec"]["kv_heads"], cfg["num_key_value_heads"]);
    EXPECT_EQ(j["spec"]["vocab_size"], cfg["vocab_size"]);
    EXPECT_EQ(j["spec"]["tied_embeddings"], cfg["tie_word_embeddings"]);
    ASSERT_EQ(j["dtypes"].size(), 1u);
    EXPECT_EQ(j["dtypes"][0]["type"], dtype);
    EXPECT_EQ(j["dtypes"][0]["bytes"].get<std::uint64_t>(), 2 * params);

    const auto text = inspect(dir, false);
    ASSERT_EQ(text.exitCode, 0) << text.err;
    std::size_t announced = 0;
    const auto rows = parseTextTable(text.out, &announced);
    EXPECT_EQ(announced, tensors);
    EXPECT_EQ(rows.size(), tensors);
    for (const auto& [n, r] : rows) EXPECT_EQ(r.type, dtype) << n;
    EXPECT_NE(text.out.find("(" + std::to_string(params) + ")"), std::string::npos);
}

TEST(CliInspect, TinyLlamaFolder) { checkFolder(tinyLlamaDir(), "LlamaForCausalLM", 6'819'072, 57, "F16"); }
TEST(CliInspect, SmallQwen2Folder) { checkFolder(qwen2Dir(), "Qwen2ForCausalLM", 22'293'504, 74, "BF16"); }

TEST(CliInspect, SafetensorsFile)
{
    const auto js = inspect(tinyLlamaDir() / "model.safetensors", true);
    ASSERT_EQ(js.exitCode, 0) << js.err;
    const json j = json::parse(js.out);
    EXPECT_EQ(j["format"], "safetensors");
    EXPECT_EQ(j["tensors"].size(), 57u);
}

TEST(CliInspect, UsageErrorsExitTwo)
{
    for (const std::string& args : std::vector<std::string>{"inspect", "inspect --bogus " + q(tinyLlamaDir()), "inspect " + q(tinyLlamaDir()) + " extra",
                                   "", "frobnicate", "inspect --json"}) {
        SCOPED_TRACE(args);
        const auto r = runCommand(q(cliPath()) + " " + args);
        EXPECT_EQ(r.exitCode, 2) << r.err;
        EXPECT_EQ(r.out, "");
        EXPECT_FALSE(r.err.empty());
    }
}

TEST(CliInspect, HelpAndVersionExitZero)
{
    EXPECT_EQ(runCommand(q(cliPath()) + " inspect --help").exitCode, 0);
    EXPECT_EQ(runCommand(q(cliPath()) + " --version").exitCode, 0);
}

} // namespace
} // namespace condense::test
