#pragma once
// DropZone: the empty state. The whole page is a drop target with one sentence and two
// buttons (Open…, Try the demo model). While something is dragged over it, it highlights and
// says what it will do with it (open a folder / a GGUF / a safetensors file, or refuse a pickle).
#include <QWidget>

#include "ui/widgets/dropped_path.h"

class QLabel;
class QPushButton;
class QToolButton;
class QAction;

namespace condense::ui {

class DropZone : public QWidget {
    Q_OBJECT
public:
    explicit DropZone(QWidget* parent = nullptr);

    // What releasing `drop` here will do, in words.
    static QString hintFor(const DroppedPath& drop);

    QString headlineText() const;
    QString hintText() const;
    bool isHighlighted() const { return m_drag.kind != DropKind::None; }

Q_SIGNALS:
    void pathDropped(const QString& path);
    void openFileRequested();
    void openFolderRequested();
    void demoRequested();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void setDrag(const DroppedPath& drag);

    QLabel* m_icon = nullptr;
    QLabel* m_headline = nullptr;
    QLabel* m_hint = nullptr;
    QToolButton* m_open = nullptr;
    QAction* m_openFolder = nullptr;
    QPushButton* m_demo = nullptr;
    DroppedPath m_drag;
};

} // namespace condense::ui
