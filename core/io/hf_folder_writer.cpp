#include "core/io/hf_folder_writer.h"

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/io/atomic_file.h"
#include "core/io/safetensors_writer.h"

namespace condense::io {

namespace fs = std::filesystem;

namespace {

bool holdsModel(const fs::path& dir)
{
    std::error_code ec;
    if (fs::exists(dir / "config.json", ec) || fs::exists(dir / "model.safetensors.index.json", ec)) return true;
    for (const auto& de : fs::directory_iterator(dir, ec)) {
        const auto ext = de.path().extension().string();
        if (ext == ".safetensors" || ext == ".gguf" || ext == ".bin") return true;
    }
    return false;
}

bool samePath(const fs::path& a, const fs::path& b)
{
    std::error_code ec;
    if (fs::equivalent(a, b, ec)) return true;
    return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

// Removes the temporary folder unless released.
class TempFolder {
public:
    ~TempFolder()
    {
        if (!m_path.empty()) {
            std::error_code ec;
            fs::remove_all(m_path, ec);
        }
    }
    Status create(const fs::path& target)
    {
        const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
        std::string templ = (parent / ("." + target.filename().string() + ".condense-XXXXXX")).string();
        if (::mkdtemp(templ.data()) == nullptr)
            return makeError(ErrorCode::IoError, parent.string(), "cannot create a temporary folder here");
        m_path = templ;
        // mkdtemp makes it 0700; the finished folder gets what mkdir would give (0777 & ~umask).
        const mode_t mask = ::umask(0);
        ::umask(mask);
        ::chmod(m_path.c_str(), static_cast<mode_t>(0777 & ~mask));
        return okStatus();
    }
    const fs::path& path() const { return m_path; }
    void release() { m_path.clear(); }

private:
    fs::path m_path;
};

void syncFolder(const fs::path& dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)::fsync(fd);
        ::close(fd);
    }
}

std::string shardName(std::size_t i, std::size_t n)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "model-%05zu-of-%05zu.safetensors", i + 1, n);
    return buf;
}

} // namespace

Status checkOutputFolder(const fs::path& target, const std::vector<fs::path>& inputs)
{
    const std::string t = target.string();
    if (target.empty() || target.filename().empty() || target.filename() == "." || target.filename() == "..")
        return makeError(ErrorCode::InvalidArgument, t, "give the output folder's name (without a trailing '/')");
    for (const auto& in : inputs)
        if (samePath(in, target)) return makeError(ErrorCode::InvalidArgument, t, "the output folder is the input model");
    std::error_code ec;
    const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(parent, ec)) return makeError(ErrorCode::NotFound, parent.string(), "the folder to write the output into does not exist");
    if (fs::exists(target, ec)) {
        if (!fs::is_directory(target, ec)) return makeError(ErrorCode::InvalidArgument, t, "exists and is not a folder");
        if (holdsModel(target)) return makeError(ErrorCode::InvalidArgument, t, "already holds a model; choose a new folder or remove it first");
        if (!fs::is_empty(target, ec)) return makeError(ErrorCode::InvalidArgument, t, "exists and is not empty; choose a new folder");
    }
    return okStatus();
}

Result<HfFolderReport> writeHfFolder(const fs::path& target, const HfFolderContent& content,
                                     const ModelWriter::TensorProducer& produce, const ModelWriteOptions& options,
                                     jobs::ProgressSink& progress, std::stop_token stop)
{
    CONDENSE_TRY(checkOutputFolder(target, options.inputs));
    // Shard plan (sizes first: a safetensors header comes before its data).
    std::vector<std::vector<std::size_t>> shards;
    std::vector<std::uint64_t> sizes(content.tensors.size());
    std::uint64_t total = 0;
    {
        std::uint64_t current = 0;
        for (std::size_t i = 0; i < content.tensors.size(); ++i) {
            SafetensorsWriter probe;
            CONDENSE_TRY(probe.addTensorShape(content.tensors[i].name, content.tensors[i].dtype, content.tensors[i].shape));
            sizes[i] = probe.tensorBytes(0);
            total += sizes[i];
            if (shards.empty() || (current > 0 && current + sizes[i] > content.maxShardBytes)) {
                shards.emplace_back();
                current = 0;
            }
            shards.back().push_back(i);
            current += sizes[i];
        }
    }
    if (shards.empty()) return makeError(ErrorCode::InvalidArgument, target.string(), "no tensors to write");

    TempFolder tmp;
    CONDENSE_TRY(tmp.create(target));
    HfFolderReport report;
    report.folder = target;
    report.tensorBytes = total;
    nlohmann::json weightMap = nlohmann::json::object();
    for (std::size_t s = 0; s < shards.size(); ++s) {
        const std::string name = shards.size() == 1 ? "model.safetensors" : shardName(s, shards.size());
        SafetensorsWriter w;
        for (std::size_t i : shards[s]) {
            CONDENSE_TRY(w.addTensorShape(content.tensors[i].name, content.tensors[i].dtype, content.tensors[i].shape));
            weightMap[content.tensors[i].name] = name;
        }
        const auto& idx = shards[s];
        auto r = w.write(
            tmp.path() / name, [&](std::size_t local, TensorOutput& out) { return produce(idx[local], out); }, options, progress, stop);
        if (!r) return std::move(r).error();
        report.fileBytes += r->bytes;
        report.shards.push_back(name);
    }
    auto writeText = [&](const std::string& name, const std::string& text) -> Status {
        if (name.find('/') != std::string::npos || name.empty()) return makeError(ErrorCode::InvalidArgument, name, "not a plain file name");
        CONDENSE_TRY(writeFileAtomically(tmp.path() / name, text));
        report.fileBytes += text.size();
        return okStatus();
    };
    if (shards.size() > 1) {
        nlohmann::json index;
        index["metadata"] = {{"total_size", total}};
        index["weight_map"] = weightMap;
        CONDENSE_TRY(writeText("model.safetensors.index.json", index.dump(2) + "\n"));
    }
    for (const auto& [name, text] : content.textFiles) CONDENSE_TRY(writeText(name, text));
    for (const auto& src : content.copyFiles) {
        if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, target.string(), "cancelled");
        std::error_code ec;
        fs::copy_file(src, tmp.path() / src.filename(), fs::copy_options::overwrite_existing, ec);
        if (ec) return makeError(ErrorCode::IoError, src.string(), "cannot copy into the output folder: " + ec.message());
        report.fileBytes += fs::file_size(src, ec);
    }
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, target.string(), "cancelled");
    syncFolder(tmp.path());
    // Only now does the target appear (an empty folder in its place is replaced).
    CONDENSE_TRY(checkOutputFolder(target, options.inputs));
    std::error_code ec;
    if (fs::exists(target, ec)) fs::remove(target, ec);
    fs::rename(tmp.path(), target, ec);
    if (ec) return makeError(ErrorCode::IoError, target.string(), "cannot move the finished folder into place: " + ec.message());
    tmp.release();
    syncFolder(target.parent_path().empty() ? fs::path(".") : target.parent_path());
    return report;
}

} // namespace condense::io
