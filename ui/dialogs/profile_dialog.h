#pragma once
// ProfileDialog: add or edit a hardware profile (the schema of resources/profiles/README.md):
// name, kind, memory pools (total, usable, bandwidth), compute, the formats it prefers, notes.
// The result is checked by core's own parser before the dialog accepts it; saving it (a file in
// the user's profile folder) is the window's job.
#include <QDialog>

#include <optional>

#include "core/plan/hardware_profile.h"

class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;

namespace condense::ui {

class ProfileDialog : public QDialog {
    Q_OBJECT
public:
    // `profile` set: edit it (a built-in one is saved as a user profile with its id).
    explicit ProfileDialog(std::optional<plan::HardwareProfile> profile, QWidget* parent = nullptr);

    // The profile as entered (valid once accepted).
    const plan::HardwareProfile& result() const { return m_result; }
    // Builds and validates the profile from the fields; false with a message shown when invalid.
    bool validate();

    QLineEdit* nameEdit() const { return m_name; }
    QComboBox* kindCombo() const { return m_kind; }

    void accept() override;

private:
    struct PoolFields {
        QGroupBox* box = nullptr;
        QDoubleSpinBox* total = nullptr;
        QDoubleSpinBox* usable = nullptr;
        QDoubleSpinBox* bandwidth = nullptr;
    };
    PoolFields makePool(const QString& title);
    void updateKind();

    std::optional<plan::HardwareProfile> m_original;
    plan::HardwareProfile m_result;
    QLineEdit* m_name = nullptr;
    QLineEdit* m_id = nullptr;
    QComboBox* m_kind = nullptr;
    PoolFields m_primary; // RAM (cpu), unified (apple), VRAM (gpu)
    PoolFields m_host;    // the RAM of a GPU machine
    QDoubleSpinBox* m_cpuTflops = nullptr;
    QDoubleSpinBox* m_gpuTflops = nullptr;
    QDoubleSpinBox* m_tgEfficiency = nullptr;
    QLineEdit* m_formats = nullptr;
    QLineEdit* m_notes = nullptr;
    QLabel* m_error = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};

} // namespace condense::ui
