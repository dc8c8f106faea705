#include "ui/models/type_delegate.h"

#include <QComboBox>

#include "ui/models/plan_table_model.h"

namespace condense::ui {

QWidget* TypeDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem&, const QModelIndex&) const
{
    auto* combo = new QComboBox(parent);
    combo->addItems(PlanTableModel::writableTypes());
    // Commit as soon as a type is picked: the page re-plans at once.
    connect(combo, &QComboBox::activated, this, [this, combo] {
        auto* self = const_cast<TypeDelegate*>(this);
        Q_EMIT self->commitData(combo);
        Q_EMIT self->closeEditor(combo);
    });
    return combo;
}

void TypeDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const
{
    auto* combo = static_cast<QComboBox*>(editor);
    combo->setCurrentText(index.data(Qt::EditRole).toString());
}

void TypeDelegate::setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const
{
    model->setData(index, static_cast<QComboBox*>(editor)->currentText(), Qt::EditRole);
}

} // namespace condense::ui
