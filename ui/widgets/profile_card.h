#pragma once
// ProfileCard: one hardware profile on the Quantize page (UI.md): an icon for its kind, the
// name, its memory and what it prefers. Checkable (the cards form an exclusive group, arrow
// keys and Space work as with radio buttons). A model file or folder dropped on a card asks
// for the whole pipeline on that machine (modelDropped); the card says so while dragging.
// The "add" card (no profile) opens the profile editor.
#include <QAbstractButton>

#include <optional>

#include "core/plan/hardware_profile.h"

namespace condense::ui {

class ProfileCard : public QAbstractButton {
    Q_OBJECT
public:
    // `profile` empty: the "+" card.
    explicit ProfileCard(std::optional<plan::HardwareProfile> profile, QWidget* parent = nullptr);

    const std::optional<plan::HardwareProfile>& profile() const { return m_profile; }
    bool isAddCard() const { return !m_profile; }
    QString memoryText() const;
    QString prefersText() const;
    bool isDragHighlighted() const { return m_dragOver; }

    QSize sizeHint() const override;

Q_SIGNALS:
    void modelDropped(const QString& path);
    void editRequested();

protected:
    void paintEvent(QPaintEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void paintIcon(QPainter& p, const QRect& r, const QColor& ink) const;
    void retranslate();

    std::optional<plan::HardwareProfile> m_profile;
    bool m_dragOver = false;
};

} // namespace condense::ui
