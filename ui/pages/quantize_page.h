#pragma once
// QuantizePage (UI.md "Quantize"): from "the machine it must run on" to a plan.
//   - profile cards across the top (built-in and the user's hardware profiles; "+" adds one,
//     right-click edits one); dropping a model on a card runs the whole pipeline for it;
//   - context length, KV-cache type and the mix (the best that fits, or one chosen);
//   - the fit: the chosen mix and why, the memory-fit bar (weights + KV cache + compute +
//     runtime against the profile's memory), predicted size and speed;
//   - the plan as an editable table (tensor, shape, type, bytes, why) with a live total; a type
//     edit re-plans at once with llama-quantize's rules (fallbacks shown);
//   - the output format: a GGUF file (the plan above), or a GPTQ / AWQ / compressed-tensors folder
//     (Hugging Face input only) with its method, bits, group size, symmetry and act-order; the
//     table then shows that folder's plan (plan::planHfFormat) and the memory fit stands aside;
//   - the output folder and one primary button (Ctrl+Enter): quantize, evaluate against the
//     original and report (core's runPipeline), as a job in the strip; runs queue.
// Everything that reads files or plans runs as a job; the page only shows results.
#include <QWidget>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ui/jobs/job_types.h"
#include "ui/jobs/plan_types.h"

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QScrollArea;
class QSortFilterProxyModel;
class QTableView;
class QToolButton;

namespace condense::io {
class Checkpoint;
}

namespace condense::ui {

class JobRunner;
class MemoryFitBar;
class PlanTableModel;
class ProfileCard;
class RunQueue;

class QuantizePage : public QWidget {
    Q_OBJECT
public:
    QuantizePage(JobRunner& runner, QWidget* parent = nullptr);
    ~QuantizePage() override;

    // Where built-in and user profiles are read from (defaults: next to the executable or the
    // source tree; $XDG_CONFIG_HOME/condense/profiles).
    void setProfileFolders(std::vector<std::filesystem::path> builtinCandidates, std::filesystem::path userDir);
    void reloadProfiles();
    const std::vector<std::filesystem::path>& builtinProfileCandidates() const { return m_builtinCandidates; }
    // How runs evaluate the result (default: core's defaultRunEvalConfig, with latency).
    void setEvaluation(const eval::EvalConfig& config, bool latency);
    void setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint, const QString& defaultOutputFolder);
    // A folder with only config.json: plan what the model would need (no run: no weights).
    void setPlanOnly(const QString& folder, const QString& defaultOutputFolder);
    bool isPlanOnly() const { return !m_planOnly.empty(); }

    bool selectProfile(const QString& id);
    QString selectedProfileId() const;
    void setContext(int tokens);
    void setMix(const QString& mix); // "" the best that fits
    void setOutputFolder(const QString& folder);
    // The importance matrix runs quantize with ("" none). calibrate() makes one from a text.
    void setImportanceMatrix(const QString& path);
    QString importanceMatrix() const { return m_imatrix; }
    // `source`: a text file, or a bundled calibration set name (general, code, chat, multilingual).
    JobId calibrate(const QString& source);
    // How the mix's types are filled: "rtn" (an importance matrix, when set, is used) or "gptq"
    // (GPTQ inside the ggml blocks, calibrated on `calibrationSet()` during the run).
    void setMethod(const QString& method);
    QString method() const;
    void setCalibrationSet(const QString& set);
    QString calibrationSet() const;
    QComboBox* methodCombo() const { return m_method; }
    // The output: "gguf", "gptq", "awq" or "compressed-tensors" (a folder). The method combo then
    // offers rtn and the format's calibrated method (gguf, gptq, compressed-tensors: gptq; awq: awq).
    void setFormat(const QString& format);
    QString format() const;
    bool isHfFormat() const { return format() != QLatin1String("gguf"); }
    QComboBox* formatCombo() const { return m_format; }
    // HF formats: bits (gptq, compressed-tensors: 2/3/4/8; awq: 4), group size (32/64/128),
    // symmetric (awq: asymmetric only) and act-order (method gptq only).
    void setBits(int bits);
    int bits() const;
    void setGroupSize(int group);
    int groupSize() const;
    void setSymmetric(bool symmetric);
    bool symmetric() const;
    void setActOrder(bool on);
    bool actOrder() const;
    // The plan of the chosen HF format for the open model (empty while GGUF is chosen).
    const std::optional<plan::QuantPlan>& hfPlan() const { return m_hfPlan; }
    // Calibration tokens a calibrated run (GPTQ, AWQ) reads; the Tokens row shows the choice
    // (a value outside its list is added to it). Default 65,536 (128 chunks of 512).
    void setCalibrationTokens(std::int64_t tokens);
    std::int64_t calibrationTokens() const { return m_calibrationTokens; }
    QString outputFolder() const;

    // Starts the pipeline on the open model with the shown plan (the primary button).
    void start();
    // Queues the pipeline for `path` planned for profile `profileId` (a drop on a card).
    void runDropped(const QString& path, const QString& profileId);

    const std::shared_ptr<const PlanView>& planView() const { return m_view; }
    const std::shared_ptr<const ProfileList>& profiles() const { return m_profiles; }
    PlanTableModel* planModel() const { return m_planModel; }
    QTableView* planTable() const { return m_table; }
    MemoryFitBar* fitBar() const { return m_fitBar; }
    QPushButton* startButton() const { return m_start; }
    QLabel* verdictLabel() const { return m_verdict; }
    ProfileCard* card(const QString& id) const;
    bool isPlanning() const { return m_planJob != 0 || m_modelJob != 0; }

Q_SIGNALS:
    void profilesLoaded();
    void planReady();
    void runStarted(condense::ui::JobId id);
    void runFinished(const std::shared_ptr<const condense::ui::RunResult>& result);
    void runFailed(const QString& headline, const QString& detail);
    // The user asked to add (profile empty) or edit a profile.
    void profileEditRequested(const std::optional<plan::HardwareProfile>& profile);
    void importanceMatrixChanged(const QString& path);
    void calibrationFinished(const QString& path);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void rebuildCards();
    void replan();
    void showPlanView();
    void onEdited(const QString& name, const QString& type);
    void browseOutput();
    std::optional<plan::HardwareProfile> profileById(const QString& id) const;
    plan::FitOptions fitOptions() const;
    JobId startRun(const QString& title, const std::filesystem::path& input, const plan::HardwareProfile& profile,
                   std::optional<plan::QuantPlan> planned, const std::filesystem::path& base);

    JobRunner& m_runner;
    std::unique_ptr<RunQueue> m_queue;
    std::vector<std::filesystem::path> m_builtinCandidates;
    std::filesystem::path m_userDir;

    std::shared_ptr<const io::Checkpoint> m_checkpoint;
    std::filesystem::path m_planOnly;
    void readModel(const std::filesystem::path& path);
    std::shared_ptr<const pipeline::PlanModel> m_model;
    std::shared_ptr<const ProfileList> m_profiles;
    std::shared_ptr<const PlanView> m_view;
    std::map<std::string, std::string> m_edits;
    QString m_selectedId;
    JobId m_profilesJob = 0, m_modelJob = 0, m_planJob = 0;
    std::map<JobId, QString> m_runs; // run job -> title
    eval::EvalConfig m_eval = pipeline::defaultRunEvalConfig();
    bool m_latency = true;

    QLabel* m_cardsLabel = nullptr;
    QWidget* m_cardsHost = nullptr;
    QScrollArea* m_cardsScroll = nullptr;
    QHBoxLayout* m_cardsLayout = nullptr;
    QButtonGroup* m_cardGroup = nullptr;
    QLabel* m_contextLabel = nullptr;
    QComboBox* m_context = nullptr;
    QLabel* m_kvLabel = nullptr;
    QComboBox* m_kv = nullptr;
    QLabel* m_mixLabel = nullptr;
    QComboBox* m_mix = nullptr;
    QLabel* m_verdict = nullptr;
    QLabel* m_reasons = nullptr;
    MemoryFitBar* m_fitBar = nullptr;
    PlanTableModel* m_planModel = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTableView* m_table = nullptr;
    QLabel* m_totals = nullptr;
    QToolButton* m_resetEdits = nullptr;
    QLabel* m_outputLabel = nullptr;
    QLineEdit* m_output = nullptr;
    QToolButton* m_browse = nullptr;
    QPushButton* m_start = nullptr;
    QLabel* m_imatrixLabel = nullptr;
    QLineEdit* m_imatrixEdit = nullptr;
    QToolButton* m_imatrixButton = nullptr;
    QString m_imatrix;
    JobId m_calibrateJob = 0;
    QLabel* m_methodLabel = nullptr;
    QComboBox* m_method = nullptr;
    QLabel* m_calibrationLabel = nullptr;
    QComboBox* m_calibration = nullptr;
    QLabel* m_methodHint = nullptr;
    QLabel* m_calibrationTokensLabel = nullptr;
    QComboBox* m_calibrationTokensCombo = nullptr;
    std::int64_t m_calibrationTokens = 65536;
    QLabel* m_formatLabel = nullptr;
    QComboBox* m_format = nullptr;
    QLabel* m_formatHint = nullptr;
    QWidget* m_hfRow = nullptr;
    QLabel* m_bitsLabel = nullptr;
    QComboBox* m_bits = nullptr;
    QLabel* m_groupLabel = nullptr;
    QComboBox* m_group = nullptr;
    QComboBox* m_symmetry = nullptr;
    QCheckBox* m_actOrder = nullptr;
    QLabel* m_outputHint = nullptr;
    std::optional<plan::QuantPlan> m_hfPlan;
    void updateFormat();
    void showHfPlan();
    static QString formatName(const QString& format);
    void rebuildMethods();
    void updateOutputHint();
    void updateMethodHint();
    void updateImatrixMenu();
};

} // namespace condense::ui
