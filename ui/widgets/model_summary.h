#pragma once
// ModelSummary: the top of the left panel: model name, then format, architecture, parameter
// count, size and element types of the open checkpoint.
#include <QWidget>

#include <memory>

class QLabel;
class QFormLayout;

namespace condense::io {
class Checkpoint;
}

namespace condense::ui {

class ModelSummary : public QWidget {
    Q_OBJECT
public:
    explicit ModelSummary(QWidget* parent = nullptr);

    // `name` is what to call the model (usually Checkpoint::displayName()).
    void setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint, const QString& name);

    void setModelName(const QString& name);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    QLabel* addRow(const char* objectName);

    std::shared_ptr<const io::Checkpoint> m_checkpoint;
    QString m_modelName;
    QLabel* m_name = nullptr;
    QFormLayout* m_form = nullptr;
    QLabel* m_format = nullptr;
    QLabel* m_architecture = nullptr;
    QLabel* m_parameters = nullptr;
    QLabel* m_size = nullptr;
    QLabel* m_types = nullptr;
    QLabel* m_layers = nullptr;
};

} // namespace condense::ui
