#pragma once
// PlanTableModel: a QuantPlan as the Quantize page's editable table: tensor, shape, type,
// bytes, reason. The type column is editable; an edit is not applied here but announced
// (typeEdited), so the page re-plans with llama-quantize's rules (a type a row cannot hold gets
// its fallback, shown as such). Tensors the user changed are bold. RawValueRole holds the
// numbers and ids for sorting and tests.
#include <QAbstractTableModel>
#include <QSet>

#include "core/plan/quant_plan.h"

namespace condense::ui {

class PlanTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TensorColumn, ShapeColumn, TypeColumn, BytesColumn, ReasonColumn, ColumnCount };
    static constexpr int RawValueRole = Qt::UserRole + 1;

    explicit PlanTableModel(QObject* parent = nullptr);

    void setPlan(plan::QuantPlan plan, QSet<QString> edited = {});
    const plan::QuantPlan& plan() const { return m_plan; }
    const QSet<QString>& edited() const { return m_edited; }
    void clear();
    void retranslate();

    // The ggml types a tensor may be set to (what the quantizer writes).
    static QStringList writableTypes();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

Q_SIGNALS:
    // The user picked `type` for tensor `name` (a ggml type name).
    void typeEdited(const QString& name, const QString& type);

private:
    plan::QuantPlan m_plan;
    QSet<QString> m_edited;
};

} // namespace condense::ui
