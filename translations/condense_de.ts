<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>TensorStatistic</name>
    <message>
        <source>Kurtosis</source>
        <translation>Kurtosis</translation>
    </message>
    <message>
        <source>Outliers &gt; 3σ</source>
        <translation>Ausreißer &gt; 3σ</translation>
    </message>
    <message>
        <source>Abs max / std</source>
        <translation>Betragsmax. / Std.</translation>
    </message>
    <message>
        <source>Standard deviation</source>
        <translation>Standardabweichung</translation>
    </message>
    <message>
        <source>Preview error</source>
        <translation>Vorschaufehler</translation>
    </message>
    <message>
        <source>Excess kurtosis: 0 for a normal distribution, large for heavy tails.</source>
        <translation>Exzess-Kurtosis: 0 bei einer Normalverteilung, groß bei schweren Rändern.</translation>
    </message>
    <message>
        <source>Share of weights more than 3 standard deviations from the mean.</source>
        <translation>Anteil der Gewichte, die mehr als 3 Standardabweichungen vom Mittelwert entfernt liegen.</translation>
    </message>
    <message>
        <source>Largest absolute weight in standard deviations: how far the worst outlier sits.</source>
        <translation>Größtes Gewicht (Betrag) in Standardabweichungen: wie weit der stärkste Ausreißer liegt.</translation>
    </message>
    <message>
        <source>Standard deviation of the weights.</source>
        <translation>Standardabweichung der Gewichte.</translation>
    </message>
    <message>
        <source>Relative RMS error of the weights after quantizing and dequantizing them with the preview type.</source>
        <translation>Relativer RMS-Fehler der Gewichte nach Quantisieren und Dequantisieren mit dem Vorschautyp.</translation>
    </message>
</context>
<context>
    <name>condense::ui::CommandLine</name>
    <message>
        <source>Condense: see inside local language models and quantize them.</source>
        <translation>Condense: lokale Sprachmodelle untersuchen und quantisieren.</translation>
    </message>
    <message>
        <source>A model folder, .safetensors or .gguf file to open.</source>
        <translation>Ein Modellordner, eine .safetensors- oder .gguf-Datei, die geöffnet werden soll.</translation>
    </message>
    <message>
        <source>Open the bundled demo model.</source>
        <translation>Das mitgelieferte Demo-Modell öffnen.</translation>
    </message>
    <message>
        <source>Save a PNG of the window to &lt;file&gt; once the model is open, then quit.</source>
        <translation>Sobald das Modell geöffnet ist, ein PNG des Fensters in &lt;file&gt; speichern und beenden.</translation>
    </message>
    <message>
        <source>Use &lt;file&gt; for the settings instead of the user&apos;s.</source>
        <translation>Einstellungen aus &lt;file&gt; statt aus denen des Benutzers verwenden.</translation>
    </message>
    <message>
        <source>Use language &lt;code&gt; (en, de, fr, zh_CN or system) for this run.</source>
        <translation>Für diesen Start die Sprache &lt;code&gt; verwenden (en, de, fr, zh_CN oder system).</translation>
    </message>
    <message>
        <source>open one model at a time</source>
        <translation>bitte jeweils nur ein Modell öffnen</translation>
    </message>
    <message>
        <source>Show &lt;page&gt; once the model is open: inspect, heatmap, quantize or results.</source>
        <translation>&lt;page&gt; anzeigen, sobald das Modell geöffnet ist: inspect, heatmap, quantize oder results.</translation>
    </message>
    <message>
        <source>Select tensor &lt;name&gt; once the model is open.</source>
        <translation>Tensor &lt;name&gt; auswählen, sobald das Modell geöffnet ist.</translation>
    </message>
    <message>
        <source>unknown page &apos;%1&apos; (inspect, heatmap, quantize, results)</source>
        <translation>unbekannte Seite „%1“ (inspect, heatmap, quantize, results)</translation>
    </message>
    <message>
        <source>Choose output format &lt;format&gt; on the Quantize page: gguf, gptq, awq or compressed-tensors.</source>
        <translation>Ausgabeformat &lt;format&gt; auf der Seite Quantisieren wählen: gguf, gptq, awq oder compressed-tensors.</translation>
    </message>
    <message>
        <source>unknown format &apos;%1&apos; (gguf, gptq, awq, compressed-tensors)</source>
        <translation>unbekanntes Format &apos;%1&apos; (gguf, gptq, awq, compressed-tensors)</translation>
    </message>
</context>
<context>
    <name>condense::ui::ComparisonChart</name>
    <message>
        <source>%1, %2
%3 (%4 bits per weight)
KLD %5 · perplexity %6 · same top token %7</source>
        <translation>%1, %2
%3 (%4 Bit pro Gewicht)
KLD %5 · Perplexität %6 · gleiches Top-Token %7</translation>
    </message>
    <message>
        <source>File size (MB)</source>
        <translation>Dateigröße (MB)</translation>
    </message>
    <message>
        <source>KL divergence to the original (mean)</source>
        <translation>KL-Divergenz zum Original (Mittel)</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>Perplexität</translation>
    </message>
    <message>
        <source>runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <source>Pareto front</source>
        <translation>Pareto-Front</translation>
    </message>
    <message>
        <source>this run</source>
        <translation>dieser Lauf</translation>
    </message>
    <message>
        <source>original</source>
        <translation>Original</translation>
    </message>
</context>
<context>
    <name>condense::ui::DropZone</name>
    <message>
        <source>Only files and folders on this computer can be opened.</source>
        <translation>Nur Dateien und Ordner auf diesem Computer können geöffnet werden.</translation>
    </message>
    <message>
        <source>Release to open the model folder “%1”.</source>
        <translation>Loslassen, um den Modellordner „%1“ zu öffnen.</translation>
    </message>
    <message>
        <source>Release to open the GGUF file “%1”.</source>
        <translation>Loslassen, um die GGUF-Datei „%1“ zu öffnen.</translation>
    </message>
    <message>
        <source>Release to open the safetensors file “%1”.</source>
        <translation>Loslassen, um die safetensors-Datei „%1“ zu öffnen.</translation>
    </message>
    <message>
        <source>“%1” is a PyTorch pickle file: Condense refuses to load it because it can run code. Convert it to safetensors first.</source>
        <translation>„%1“ ist eine PyTorch-Pickle-Datei: Condense lädt sie nicht, weil sie Code ausführen kann. Wandeln Sie sie zuerst in safetensors um.</translation>
    </message>
    <message>
        <source>Release to try “%1”: Condense will check whether it is a model.</source>
        <translation>Loslassen, um „%1“ zu versuchen: Condense prüft, ob es ein Modell ist.</translation>
    </message>
    <message>
        <source>Only the first of the %1 dropped items is opened.</source>
        <translation>Von den %1 abgelegten Elementen wird nur das erste geöffnet.</translation>
    </message>
    <message>
        <source>Drop a model folder or a .gguf file here</source>
        <translation>Ziehen Sie einen Modellordner oder eine .gguf-Datei hierher</translation>
    </message>
    <message>
        <source>Hugging Face folders, .safetensors and .gguf files are read, never changed.</source>
        <translation>Hugging-Face-Ordner, .safetensors- und .gguf-Dateien werden nur gelesen, nie verändert.</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Öffnen…</translation>
    </message>
    <message>
        <source>Open a .gguf or .safetensors file (the arrow opens a folder)</source>
        <translation>Eine .gguf- oder .safetensors-Datei öffnen (der Pfeil öffnet einen Ordner)</translation>
    </message>
    <message>
        <source>Open Folder…</source>
        <translation>Ordner öffnen…</translation>
    </message>
    <message>
        <source>Try the demo model</source>
        <translation>Demo-Modell ausprobieren</translation>
    </message>
    <message>
        <source>Open tiny-llama-spm, a 6.8 M parameter model that comes with Condense</source>
        <translation>tiny-llama-spm öffnen, ein Modell mit 6,8 Mio. Parametern, das Condense beiliegt</translation>
    </message>
</context>
<context>
    <name>condense::ui::ErrorText</name>
    <message>
        <source>No error.</source>
        <translation>Kein Fehler.</translation>
    </message>
    <message>
        <source>The operation was cancelled.</source>
        <translation>Der Vorgang wurde abgebrochen.</translation>
    </message>
    <message>
        <source>The file or folder does not exist.</source>
        <translation>Die Datei oder der Ordner existiert nicht.</translation>
    </message>
    <message>
        <source>The file could not be read or written.</source>
        <translation>Die Datei konnte nicht gelesen oder geschrieben werden.</translation>
    </message>
    <message>
        <source>The disk is full.</source>
        <translation>Der Datenträger ist voll.</translation>
    </message>
    <message>
        <source>The file ends too early; it may be incomplete (an interrupted download?).</source>
        <translation>Die Datei endet zu früh; vielleicht ist sie unvollständig (ein abgebrochener Download?).</translation>
    </message>
    <message>
        <source>The file is not of the kind its name says.</source>
        <translation>Die Datei ist nicht von der Art, die ihr Name angibt.</translation>
    </message>
    <message>
        <source>This version of the file format is not supported.</source>
        <translation>Diese Version des Dateiformats wird nicht unterstützt.</translation>
    </message>
    <message>
        <source>The file is damaged or not valid.</source>
        <translation>Die Datei ist beschädigt oder ungültig.</translation>
    </message>
    <message>
        <source>The file points to data beyond its end.</source>
        <translation>Die Datei verweist auf Daten hinter ihrem Ende.</translation>
    </message>
    <message>
        <source>The file declares sizes too large to be real.</source>
        <translation>Die Datei gibt Größen an, die zu groß sind, um echt zu sein.</translation>
    </message>
    <message>
        <source>The file uses a data type Condense does not know.</source>
        <translation>Die Datei verwendet einen Datentyp, den Condense nicht kennt.</translation>
    </message>
    <message>
        <source>This is not a model Condense can open. Use a Hugging Face model folder, a .safetensors file or a .gguf file.</source>
        <translation>Dies ist kein Modell, das Condense öffnen kann. Verwenden Sie einen Hugging-Face-Modellordner, eine .safetensors-Datei oder eine .gguf-Datei.</translation>
    </message>
    <message>
        <source>PyTorch pickle files (.bin, .pt) can run code when they are loaded, so Condense never opens them. Convert the model to safetensors first.</source>
        <translation>PyTorch-Pickle-Dateien (.bin, .pt) können beim Laden Code ausführen, deshalb öffnet Condense sie nie. Wandeln Sie das Modell zuerst in safetensors um.</translation>
    </message>
    <message>
        <source>This model architecture is not supported yet.</source>
        <translation>Diese Modellarchitektur wird noch nicht unterstützt.</translation>
    </message>
    <message>
        <source>A tensor the model needs is missing.</source>
        <translation>Ein Tensor, den das Modell braucht, fehlt.</translation>
    </message>
    <message>
        <source>The tokenizer files are missing.</source>
        <translation>Die Tokenizer-Dateien fehlen.</translation>
    </message>
    <message>
        <source>Unknown error.</source>
        <translation>Unbekannter Fehler.</translation>
    </message>
    <message>
        <source>Opening</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Reading tensors</source>
        <translation>Tensoren lesen</translation>
    </message>
    <message>
        <source>Converting</source>
        <translation>Konvertieren</translation>
    </message>
    <message>
        <source>Quantizing</source>
        <translation>Quantisieren</translation>
    </message>
    <message>
        <source>Writing</source>
        <translation>Schreiben</translation>
    </message>
    <message>
        <source>Checking the written file</source>
        <translation>Geschriebene Datei prüfen</translation>
    </message>
    <message>
        <source>Analyzing</source>
        <translation>Analysieren</translation>
    </message>
    <message>
        <source>Evaluating</source>
        <translation>Auswerten</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>In Arbeit</translation>
    </message>
    <message>
        <source>Hugging Face folder</source>
        <translation>Hugging-Face-Ordner</translation>
    </message>
    <message>
        <source>safetensors file</source>
        <translation>safetensors-Datei</translation>
    </message>
    <message>
        <source>GGUF file</source>
        <translation>GGUF-Datei</translation>
    </message>
    <message>
        <source>Could not open “%1”: %2</source>
        <translation>„%1“ konnte nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>Measuring speed</source>
        <translation>Geschwindigkeit wird gemessen</translation>
    </message>
    <message>
        <source>Generating</source>
        <translation>Generieren</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>In Warteschlange</translation>
    </message>
    <message>
        <source>Calibrating</source>
        <translation>Kalibrieren</translation>
    </message>
    <message>
        <source>This cannot be done.</source>
        <translation>Das ist nicht möglich.</translation>
    </message>
</context>
<context>
    <name>condense::ui::HeatmapPlot</name>
    <message>
        <source>%1
%2: pending</source>
        <translation>%1
%2: ausstehend</translation>
    </message>
    <message>
        <source>%1
%2: %3</source>
        <translation>%1
%2: %3</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>k. A.</translation>
    </message>
    <message>
        <source>outside</source>
        <translation>außerhalb</translation>
    </message>
    <message>
        <source>Tensor role</source>
        <translation>Tensorrolle</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
</context>
<context>
    <name>condense::ui::HelpDialog</name>
    <message>
        <source>Condense Help</source>
        <translation>Condense-Hilfe</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Condense quick help&lt;/h3&gt;&lt;p&gt;Condense shows what is inside a local language model, quantizes it for the machine it must run on, and measures what the quantization cost.&lt;/p&gt;&lt;h4&gt;Open a model&lt;/h4&gt;&lt;ul&gt;&lt;li&gt;Drop a Hugging Face model folder (config.json and .safetensors files), a single .safetensors file or a .gguf file onto the window.&lt;/li&gt;&lt;li&gt;Or use File ▸ Open File… (Ctrl+O) or File ▸ Open Folder… (Ctrl+Shift+O).&lt;/li&gt;&lt;li&gt;“Try the demo model” opens tiny-llama-spm, a small model that comes with Condense.&lt;/li&gt;&lt;li&gt;A folder with only config.json opens for planning: see what the model would need before you download it.&lt;/li&gt;&lt;li&gt;PyTorch .bin and .pt files are refused: they can run code when loaded. Convert them to safetensors first.&lt;/li&gt;&lt;/ul&gt;&lt;h4&gt;Inspect&lt;/h4&gt;&lt;p&gt;Every tensor is analysed in the background. Select one in the tree to see its histogram, its outlier map and its largest weights; “Whole model” shows a heatmap of all layers (click a cell to select that tensor). “Preview as” shows the error a quantization type would cause.&lt;/p&gt;&lt;h4&gt;Quantize&lt;/h4&gt;&lt;p&gt;Pick the machine (a profile card), the context length and the KV-cache type: Condense picks the best type that fits and shows the plan, which you can edit. “Quantize and test” writes the GGUF (or, with another Output format, a GPTQ, AWQ or compressed-tensors folder for transformers and vLLM) and compares it with the original. Dropping a model on a card does all of it for that machine.&lt;/p&gt;&lt;h4&gt;Results&lt;/h4&gt;&lt;p&gt;Size, perplexity, KL divergence, agreement and speed, original → quantized; the per-layer chart (click a layer to inspect it) and every run of the model by size.&lt;/p&gt;&lt;h4&gt;Keyboard&lt;/h4&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;Ctrl+O&lt;/td&gt;&lt;td&gt;Open a file&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Shift+O&lt;/td&gt;&lt;td&gt;Open a folder&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Enter&lt;/td&gt;&lt;td&gt;Quantize and test (Quantize page)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Arrow keys, Enter&lt;/td&gt;&lt;td&gt;Move on the heatmap, select the tensor&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Esc&lt;/td&gt;&lt;td&gt;Cancel the focused job&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;F1&lt;/td&gt;&lt;td&gt;This help&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Q&lt;/td&gt;&lt;td&gt;Quit&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;Condense Kurzhilfe&lt;/h3&gt;&lt;p&gt;Condense zeigt, was in einem lokalen Sprachmodell steckt, quantisiert es für die Maschine, auf der es laufen muss, und misst, was die Quantisierung gekostet hat.&lt;/p&gt;&lt;h4&gt;Ein Modell öffnen&lt;/h4&gt;&lt;ul&gt;&lt;li&gt;Einen Hugging-Face-Modellordner (config.json und .safetensors-Dateien), eine einzelne .safetensors-Datei oder eine .gguf-Datei auf das Fenster ziehen.&lt;/li&gt;&lt;li&gt;Oder Datei ▸ Datei öffnen… (Strg+O) bzw. Datei ▸ Ordner öffnen… (Strg+Umschalt+O) verwenden.&lt;/li&gt;&lt;li&gt;„Demo-Modell ausprobieren“ öffnet tiny-llama-spm, ein kleines Modell, das mit Condense geliefert wird.&lt;/li&gt;&lt;li&gt;Ein Ordner nur mit config.json öffnet sich zum Planen: Sieh, was das Modell bräuchte, bevor du es herunterlädst.&lt;/li&gt;&lt;li&gt;PyTorch-Dateien (.bin, .pt) werden abgelehnt: Sie können beim Laden Code ausführen. Wandle sie zuerst in safetensors um.&lt;/li&gt;&lt;/ul&gt;&lt;h4&gt;Untersuchen&lt;/h4&gt;&lt;p&gt;Jeder Tensor wird im Hintergrund analysiert. Wähle einen im Baum, um Histogramm, Ausreißerkarte und größte Gewichte zu sehen; „Ganzes Modell“ zeigt eine Heatmap aller Schichten (Klick auf eine Zelle wählt diesen Tensor). „Vorschau als“ zeigt den Fehler, den ein Quantisierungstyp verursachen würde.&lt;/p&gt;&lt;h4&gt;Quantisieren&lt;/h4&gt;&lt;p&gt;Wähle die Maschine (eine Profilkarte), die Kontextlänge und den KV-Cache-Typ: Condense wählt den besten Typ, der passt, und zeigt den Plan, den du bearbeiten kannst. „Quantisieren und testen“ schreibt das GGUF (oder, mit einem anderen Ausgabeformat, einen GPTQ-, AWQ- oder compressed-tensors-Ordner für transformers und vLLM) und vergleicht es mit dem Original. Ein Modell auf eine Karte zu ziehen erledigt alles für diese Maschine.&lt;/p&gt;&lt;h4&gt;Ergebnisse&lt;/h4&gt;&lt;p&gt;Größe, Perplexität, KL-Divergenz, Übereinstimmung und Geschwindigkeit, Original → quantisiert; das Schichtdiagramm (Klick auf eine Schicht untersucht sie) und alle Läufe des Modells nach Größe.&lt;/p&gt;&lt;h4&gt;Tastatur&lt;/h4&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;Strg+O&lt;/td&gt;&lt;td&gt;Datei öffnen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Strg+Umschalt+O&lt;/td&gt;&lt;td&gt;Ordner öffnen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Strg+Eingabe&lt;/td&gt;&lt;td&gt;Quantisieren und testen (Seite Quantisieren)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Pfeiltasten, Eingabe&lt;/td&gt;&lt;td&gt;Auf der Heatmap bewegen, Tensor wählen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Esc&lt;/td&gt;&lt;td&gt;Den ausgewählten Auftrag abbrechen&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;F1&lt;/td&gt;&lt;td&gt;Diese Hilfe&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Strg+Q&lt;/td&gt;&lt;td&gt;Beenden&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
</context>
<context>
    <name>condense::ui::HistogramPlot</name>
    <message>
        <source>%1 to %2: %3 weights</source>
        <translation>%1 bis %2: %3 Gewichte</translation>
    </message>
    <message>
        <source>Weight value</source>
        <translation>Gewichtswert</translation>
    </message>
    <message>
        <source>Count (log scale)</source>
        <translation>Anzahl (log. Skala)</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <source>mean and ±3σ marked</source>
        <translation>Mittelwert und ±3σ markiert</translation>
    </message>
    <message>
        <source>%1 below, %2 above the range</source>
        <translation>%1 unterhalb, %2 oberhalb des Bereichs</translation>
    </message>
    <message>
        <source>%1 NaN/Inf not counted</source>
        <translation>%1 NaN/Inf nicht gezählt</translation>
    </message>
</context>
<context>
    <name>condense::ui::InspectPage</name>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>Vokabular</translation>
    </message>
    <message>
        <source>Hidden size</source>
        <translation>Versteckte Dimension</translation>
    </message>
    <message>
        <source>Feed-forward size</source>
        <translation>Feed-Forward-Dimension</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>Attention heads</source>
        <translation>Attention-Köpfe</translation>
    </message>
    <message>
        <source>Key/value heads</source>
        <translation>Key/Value-Köpfe</translation>
    </message>
    <message>
        <source>Head size</source>
        <translation>Kopfgröße</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>Kontextlänge</translation>
    </message>
    <message>
        <source>RoPE base</source>
        <translation>RoPE-Basis</translation>
    </message>
    <message>
        <source>Norm epsilon</source>
        <translation>Norm-Epsilon</translation>
    </message>
    <message>
        <source>Tied embeddings</source>
        <translation>Gekoppelte Embeddings</translation>
    </message>
    <message>
        <source>not in a layer</source>
        <translation>in keiner Schicht</translation>
    </message>
    <message>
        <source>Select a tensor in the tree on the left.</source>
        <translation>Wählen Sie links im Baum einen Tensor aus.</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>Histogramm</translation>
    </message>
    <message>
        <source>Outlier map</source>
        <translation>Ausreißerkarte</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>Heatmap</translation>
    </message>
    <message>
        <source>%1 as PNG…</source>
        <translation>%1 als PNG…</translation>
    </message>
    <message>
        <source>&amp;Tensor</source>
        <translation>&amp;Tensor</translation>
    </message>
    <message>
        <source>Histogram and outlier map of the selected tensor</source>
        <translation>Histogramm und Ausreißerkarte des ausgewählten Tensors</translation>
    </message>
    <message>
        <source>&amp;Whole model</source>
        <translation>&amp;Ganzes Modell</translation>
    </message>
    <message>
        <source>Heatmap of every tensor: layers down, tensor roles across</source>
        <translation>Heatmap aller Tensoren: Schichten nach unten, Tensorrollen nach rechts</translation>
    </message>
    <message>
        <source>Colour &amp;by:</source>
        <translation>&amp;Färben nach:</translation>
    </message>
    <message>
        <source>&amp;Preview as:</source>
        <translation>&amp;Vorschau als:</translation>
    </message>
    <message>
        <source>Quantize and dequantize every tensor as this llama-quantize mix would, and show the error</source>
        <translation>Jeden Tensor so quantisieren und dequantisieren, wie es diese llama-quantize-Mischung täte, und den Fehler zeigen</translation>
    </message>
    <message>
        <source>E&amp;xport</source>
        <translation>E&amp;xportieren</translation>
    </message>
    <message>
        <source>Save a plot as a PNG image</source>
        <translation>Ein Diagramm als PNG-Bild speichern</translation>
    </message>
    <message>
        <source>&amp;Log scale</source>
        <translation>&amp;Log. Skala</translation>
    </message>
    <message>
        <source>Largest weights</source>
        <translation>Größte Gewichte</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Statistik</translation>
    </message>
    <message>
        <source>Quantization preview</source>
        <translation>Quantisierungsvorschau</translation>
    </message>
    <message>
        <source>Analysing: %1 of %2 tensors</source>
        <translation>Analyse: %1 von %2 Tensoren</translation>
    </message>
    <message>
        <source>%1 tensors analysed</source>
        <translation>%1 Tensoren analysiert</translation>
    </message>
    <message>
        <source>Analysis failed after %1 of %2 tensors</source>
        <translation>Analyse nach %1 von %2 Tensoren fehlgeschlagen</translation>
    </message>
    <message>
        <source>Analysis stopped after %1 of %2 tensors</source>
        <translation>Analyse nach %1 von %2 Tensoren angehalten</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message>
        <source>%1 = %2 elements</source>
        <translation>%1 = %2 Elemente</translation>
    </message>
    <message>
        <source>%1 (%2 bytes)</source>
        <translation>%1 (%2 Byte)</translation>
    </message>
    <message>
        <source>Analysis of this tensor is pending…</source>
        <translation>Die Analyse dieses Tensors steht noch aus…</translation>
    </message>
    <message>
        <source>This tensor has not been analysed.</source>
        <translation>Dieser Tensor wurde nicht analysiert.</translation>
    </message>
    <message>
        <source>This tensor could not be read: %1</source>
        <translation>Dieser Tensor konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Contains %1 NaN and %2 infinite values: the statistics and the histogram count the finite ones.</source>
        <translation>Enthält %1 NaN- und %2 unendliche Werte: Statistik und Histogramm zählen die endlichen.</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>Mittelwert</translation>
    </message>
    <message>
        <source>Std</source>
        <translation>Std.-Abw.</translation>
    </message>
    <message>
        <source>Min</source>
        <translation>Min.</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>Max.</translation>
    </message>
    <message>
        <source>Abs max</source>
        <translation>Betragsmax.</translation>
    </message>
    <message>
        <source>Abs max / std</source>
        <translation>Betragsmax. / Std.</translation>
    </message>
    <message>
        <source>Kurtosis (excess)</source>
        <translation>Kurtosis (Exzess)</translation>
    </message>
    <message>
        <source>Beyond 3σ</source>
        <translation>Jenseits 3σ</translation>
    </message>
    <message>
        <source>Beyond 6σ</source>
        <translation>Jenseits 6σ</translation>
    </message>
    <message>
        <source>Exact zeros</source>
        <translation>Exakte Nullen</translation>
    </message>
    <message>
        <source>NaN / Inf</source>
        <translation>NaN / Inf</translation>
    </message>
    <message>
        <source>Preview type</source>
        <translation>Vorschautyp</translation>
    </message>
    <message>
        <source>Relative RMSE</source>
        <translation>Relativer RMSE</translation>
    </message>
    <message>
        <source>SNR</source>
        <translation>SNR</translation>
    </message>
    <message>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <source>Max abs error</source>
        <translation>Max. abs. Fehler</translation>
    </message>
    <message>
        <source>Weighted RMSE</source>
        <translation>Gewichteter RMSE</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>pending…</source>
        <translation>ausstehend…</translation>
    </message>
    <message>
        <source>none for this tensor</source>
        <translation>keine für diesen Tensor</translation>
    </message>
    <message>
        <source>Largest weights (%1)</source>
        <translation>Größte Gewichte (%1)</translation>
    </message>
    <message>
        <source>Mix</source>
        <translation>Mischung</translation>
    </message>
    <message>
        <source>layer %1 (%2)</source>
        <translation>Schicht %1 (%2)</translation>
    </message>
    <message>
        <source>Worst layers</source>
        <translation>Schlechteste Schichten</translation>
    </message>
</context>
<context>
    <name>condense::ui::JobRow</name>
    <message>
        <source>Starting</source>
        <translation>Startet</translation>
    </message>
    <message>
        <source>ETA –</source>
        <translation>Rest –</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>Rest %1</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancel this job (Esc)</source>
        <translation>Diesen Auftrag abbrechen (Esc)</translation>
    </message>
</context>
<context>
    <name>condense::ui::JobStrip</name>
    <message>
        <source>%1: done in %2</source>
        <translation>%1: fertig in %2</translation>
    </message>
    <message>
        <source>%1: cancelled</source>
        <translation>%1: abgebrochen</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Aufträge</translation>
    </message>
    <message>
        <source>No jobs running</source>
        <translation>Keine laufenden Aufträge</translation>
    </message>
    <message>
        <source>Cancel job</source>
        <translation>Auftrag abbrechen</translation>
    </message>
    <message>
        <source>“%1” has been running for %2. Cancel it?</source>
        <translation>„%1“ läuft seit %2. Abbrechen?</translation>
    </message>
    <message>
        <source>%1: failed</source>
        <translation>%1: fehlgeschlagen</translation>
    </message>
    <message>
        <source>Show results</source>
        <translation>Ergebnisse zeigen</translation>
    </message>
</context>
<context>
    <name>condense::ui::LayerChart</name>
    <message>
        <source>Layer %1
drift of its output: %2 (cosine %3)
weight error: %4</source>
        <translation>Schicht %1
Drift ihrer Ausgabe: %2 (Kosinus %3)
Gewichtsfehler: %4</translation>
    </message>
    <message>
        <source>among the layers that add the most drift</source>
        <translation>unter den Schichten, die am meisten Drift hinzufügen</translation>
    </message>
    <message>
        <source>among the layers with the largest weight error</source>
        <translation>unter den Schichten mit dem größten Gewichtsfehler</translation>
    </message>
    <message>
        <source>Click to inspect this layer</source>
        <translation>Klicken, um diese Schicht zu untersuchen</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>Drift of the layer&apos;s output (relative error)</source>
        <translation>Drift der Schichtausgabe (relativer Fehler)</translation>
    </message>
    <message>
        <source>Weight error (relative RMSE)</source>
        <translation>Gewichtsfehler (relativer RMSE)</translation>
    </message>
    <message>
        <source>drift</source>
        <translation>Drift</translation>
    </message>
    <message>
        <source>drift, worst layers</source>
        <translation>Drift, schlechteste Schichten</translation>
    </message>
    <message>
        <source>weight error</source>
        <translation>Gewichtsfehler</translation>
    </message>
</context>
<context>
    <name>condense::ui::MainWindow</name>
    <message>
        <source>Quantize</source>
        <translation>Quantisieren</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Ergebnisse</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open File…</source>
        <translation>Datei ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open a .gguf or .safetensors file</source>
        <translation>Eine .gguf- oder .safetensors-Datei öffnen</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>&amp;Ordner öffnen…</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder</source>
        <translation>Einen Hugging-Face-Modellordner öffnen</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>Open &amp;Demo Model</source>
        <translation>&amp;Demo-Modell öffnen</translation>
    </message>
    <message>
        <source>&amp;Close Model</source>
        <translation>Modell &amp;schließen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Expand All Groups</source>
        <translation>Alle Gruppen &amp;aufklappen</translation>
    </message>
    <message>
        <source>C&amp;ollapse All Groups</source>
        <translation>Alle Gruppen &amp;zuklappen</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>System Default</source>
        <translation>Systemvorgabe</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Condense &amp;Help</source>
        <translation>Condense-&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Condense</source>
        <translation>&amp;Über Condense</translation>
    </message>
    <message>
        <source>Inspect</source>
        <translation>Untersuchen</translation>
    </message>
    <message>
        <source>No recent models</source>
        <translation>Keine zuletzt geöffneten Modelle</translation>
    </message>
    <message>
        <source>Clear Recent Models</source>
        <translation>Liste leeren</translation>
    </message>
    <message>
        <source>Open Model File</source>
        <translation>Modelldatei öffnen</translation>
    </message>
    <message>
        <source>Model files (*.gguf *.safetensors);;All files (*)</source>
        <translation>Modelldateien (*.gguf *.safetensors);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation>Modellordner öffnen</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>%1 öffnen</translation>
    </message>
    <message>
        <source>Open demo model</source>
        <translation>Demo-Modell öffnen</translation>
    </message>
    <message>
        <source>%1 (demo)</source>
        <translation>%1 (Demo)</translation>
    </message>
    <message>
        <source>About Condense</source>
        <translation>Über Condense</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Condense %1&lt;/h3&gt;&lt;p&gt;A desktop studio that shows what is inside a local language model, quantizes it and measures what the quantization cost.&lt;/p&gt;&lt;p&gt;Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Condense %1&lt;/h3&gt;&lt;p&gt;Ein Desktop-Studio, das zeigt, was in einem lokalen Sprachmodell steckt, es quantisiert und misst, was die Quantisierung gekostet hat.&lt;/p&gt;&lt;p&gt;Erstellt mit Qt %2.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Analyse %1</source>
        <translation>%1 analysieren</translation>
    </message>
    <message>
        <source>Export Plot</source>
        <translation>Diagramm exportieren</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>Export %1</source>
        <translation>%1 exportieren</translation>
    </message>
    <message>
        <source>The weight analysis failed.</source>
        <translation>Die Gewichtsanalyse ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>The image could not be saved.</source>
        <translation>Das Bild konnte nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>Save profile %1</source>
        <translation>Profil %1 speichern</translation>
    </message>
    <message>
        <source>The profile could not be saved.</source>
        <translation>Das Profil konnte nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>%1 (config.json only)</source>
        <translation>%1 (nur config.json)</translation>
    </message>
</context>
<context>
    <name>condense::ui::MemoryFitBar</name>
    <message>
        <source>fits</source>
        <translation>passt</translation>
    </message>
    <message>
        <source>does not fit</source>
        <translation>passt nicht</translation>
    </message>
    <message>
        <source>%1: needs %2 of %3 usable (%4): weights %5, KV cache %6, compute %7, runtime %8</source>
        <translation>%1: braucht %2 von %3 nutzbar (%4): Gewichte %5, KV-Cache %6, Rechenpuffer %7, Laufzeit %8</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>Gewichte</translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation>KV-Cache</translation>
    </message>
    <message>
        <source>compute</source>
        <translation>Rechenpuffer</translation>
    </message>
    <message>
        <source>runtime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>| usable memory</source>
        <translation>| nutzbarer Speicher</translation>
    </message>
</context>
<context>
    <name>condense::ui::MessageBanner</name>
    <message>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>condense::ui::MessageText</name>
    <message>
        <source>output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>tied token_embd (output rule)</source>
        <translation>gebundenes token_embd (Ausgaberegel)</translation>
    </message>
    <message>
        <source>%1: falcon -&gt; %2</source>
        <translation>%1: Falcon -&gt; %2</translation>
    </message>
    <message>
        <source>%1: row %2 not a multiple of %3 -&gt; %4</source>
        <translation>%1: Zeile %2 kein Vielfaches von %3 -&gt; %4</translation>
    </message>
    <message>
        <source>%1 -&gt; %2</source>
        <translation>%1 -&gt; %2</translation>
    </message>
    <message>
        <source>%1 of a 70B model</source>
        <translation>%1 eines 70B-Modells</translation>
    </message>
    <message>
        <source>%1 of an 8-expert model</source>
        <translation>%1 eines Modells mit 8 Experten</translation>
    </message>
    <message>
        <source>%1 bump</source>
        <translation>%1 angehoben</translation>
    </message>
    <message>
        <source>%1 falcon</source>
        <translation>%1 Falcon</translation>
    </message>
    <message>
        <source>%1 with imatrix</source>
        <translation>%1 mit Importance-Matrix</translation>
    </message>
    <message>
        <source>%1 without imatrix</source>
        <translation>%1 ohne Importance-Matrix</translation>
    </message>
    <message>
        <source>%1, gqa %2</source>
        <translation>%1, GQA %2</translation>
    </message>
    <message>
        <source>%1, use_more_bits</source>
        <translation>%1, use_more_bits</translation>
    </message>
    <message>
        <source>%1, first %2</source>
        <translation>%1, erste %2</translation>
    </message>
    <message>
        <source>%1, first eighth</source>
        <translation>%1, erstes Achtel</translation>
    </message>
    <message>
        <source>%1, first sixteenth</source>
        <translation>%1, erstes Sechzehntel</translation>
    </message>
    <message>
        <source>%1 (layer counter %2 of %3)</source>
        <translation>%1 (Schichtzähler %2 von %3)</translation>
    </message>
    <message>
        <source>%1 (layer %2 of %3)</source>
        <translation>%1 (Schicht %2 von %3)</translation>
    </message>
    <message>
        <source>plan: %1</source>
        <translation>Plan: %1</translation>
    </message>
    <message>
        <source>plan</source>
        <translation>Plan</translation>
    </message>
    <message>
        <source>mix default</source>
        <translation>Standard der Mischung</translation>
    </message>
    <message>
        <source>--pure: mix default</source>
        <translation>--pure: Standard der Mischung</translation>
    </message>
    <message>
        <source>user override --tensor-type %1=%2</source>
        <translation>Benutzervorgabe --tensor-type %1=%2</translation>
    </message>
    <message>
        <source>user override --output-tensor-type</source>
        <translation>Benutzervorgabe --output-tensor-type</translation>
    </message>
    <message>
        <source>user override --token-embedding-type</source>
        <translation>Benutzervorgabe --token-embedding-type</translation>
    </message>
    <message>
        <source>%1-D tensor kept as %2</source>
        <translation>%1-D-Tensor bleibt %2</translation>
    </message>
    <message>
        <source>not a weight, kept as %1</source>
        <translation>kein Gewicht, bleibt %1</translation>
    </message>
    <message>
        <source>norm kept as %1</source>
        <translation>Norm bleibt %1</translation>
    </message>
    <message>
        <source>--leave-output-tensor: kept as %1</source>
        <translation>--leave-output-tensor: bleibt %1</translation>
    </message>
    <message>
        <source>never quantized (%1), kept as %2</source>
        <translation>nie quantisiert (%1), bleibt %2</translation>
    </message>
    <message>
        <source>embedding never quantized, kept as %1</source>
        <translation>Einbettung nie quantisiert, bleibt %1</translation>
    </message>
    <message>
        <source>mix rule: %1</source>
        <translation>Mischungsregel: %1</translation>
    </message>
    <message>
        <source>fallback: row %1 not a multiple of %2 (%3), nor of %4 (%5) -&gt; %6</source>
        <translation>Ausweichtyp: Zeile %1 kein Vielfaches von %2 (%3), auch nicht von %4 (%5) -&gt; %6</translation>
    </message>
    <message>
        <source>fallback: row %1 not a multiple of %2 (%3) -&gt; %4</source>
        <translation>Ausweichtyp: Zeile %1 kein Vielfaches von %2 (%3) -&gt; %4</translation>
    </message>
    <message>
        <source>%1; was %2</source>
        <translation>%1; vorher %2</translation>
    </message>
    <message>
        <source>adding merges requested but no merges found, output may be non-functional</source>
        <translation>Merges angefordert, aber keine gefunden; die Ausgabe funktioniert womöglich nicht</translation>
    </message>
    <message>
        <source>ignoring invalid special token id %1 for %2</source>
        <translation>ungültige Spezialtoken-ID %1 für %2 wird ignoriert</translation>
    </message>
    <message>
        <source>special token type %1, id %2 out of range, must be under %3 - skipping</source>
        <translation>Spezialtoken-Typ %1, ID %2 außerhalb des Bereichs, muss kleiner als %3 sein – übersprungen</translation>
    </message>
    <message>
        <source>spaces in merges detected, encoding them as U+0120</source>
        <translation>Leerzeichen in Merges gefunden, sie werden als U+0120 kodiert</translation>
    </message>
    <message>
        <source>merges.txt: malformed entry ignored</source>
        <translation>merges.txt: fehlerhafter Eintrag ignoriert</translation>
    </message>
    <message>
        <source>bad type for chat_template in tokenizer_config.json - ignoring</source>
        <translation>falscher Typ für chat_template in tokenizer_config.json – ignoriert</translation>
    </message>
    <message>
        <source>ignoring tokens from %1: id is out of range, max=%2</source>
        <translation>Tokens ab %1 werden ignoriert: ID außerhalb des Bereichs, Maximum=%2</translation>
    </message>
    <message>
        <source>ignoring added token %1: id is out of range</source>
        <translation>hinzugefügtes Token %1 wird ignoriert: ID außerhalb des Bereichs</translation>
    </message>
    <message>
        <source>the pre-tokenizer in tokenizer.json is not one we recognize; writing tokenizer.ggml.pre = &quot;default&quot; (llama.cpp may split text differently than the original tokenizer)</source>
        <translation>Den Pre-Tokenizer in tokenizer.json kennen wir nicht; es wird tokenizer.ggml.pre = &quot;default&quot; geschrieben (llama.cpp trennt Text womöglich anders als der ursprüngliche Tokenizer)</translation>
    </message>
    <message>
        <source>unknown RoPE type: %1</source>
        <translation>unbekannter RoPE-Typ: %1</translation>
    </message>
    <message>
        <source>the importance matrix has no entry for %1: quantized without one</source>
        <translation>Die Importance-Matrix hat keinen Eintrag für %1: ohne sie quantisiert</translation>
    </message>
    <message>
        <source>the importance matrix entry of %1 has %2 values instead of %3: ignored</source>
        <translation>Der Eintrag der Importance-Matrix für %1 hat %2 statt %3 Werte: ignoriert</translation>
    </message>
    <message>
        <source>requantizing %1 already quantized tensor(s): the result is worse than quantizing the original weights</source>
        <translation>%1 bereits quantisierte(r) Tensor(en) werden neu quantisiert: das Ergebnis ist schlechter als beim Quantisieren der ursprünglichen Gewichte</translation>
    </message>
    <message>
        <source>GPTQ: the Hessian of %1 was not positive definite with damping %2; used %3</source>
        <translation>GPTQ: die Hesse-Matrix von %1 war mit Dämpfung %2 nicht positiv definit; verwendet: %3</translation>
    </message>
    <message>
        <source>GPTQ: the Hessian of %1 is not positive definite even with damping %2; quantized by round-to-nearest instead</source>
        <translation>GPTQ: die Hesse-Matrix von %1 ist selbst mit Dämpfung %2 nicht positiv definit; stattdessen durch Runden auf den nächsten Wert quantisiert</translation>
    </message>
    <message>
        <source>GPTQ: %1 is %2, which GPTQ does not sweep; quantized by rounding weighted with its calibration activations instead</source>
        <translation>GPTQ: %1 ist %2, das GPTQ nicht durchläuft; stattdessen durch Runden quantisiert, gewichtet mit seinen Kalibrierungsaktivierungen</translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation>VRAM</translation>
    </message>
    <message>
        <source>unified memory</source>
        <translation>gemeinsamer Speicher</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>RAM</translation>
    </message>
    <message>
        <source>%1: the highest-quality mix that fits (mean KLD %2 on Llama-3-8B, llama.cpp&apos;s scoreboard)</source>
        <translation>%1: die hochwertigste Mischung, die passt (mittlere KLD %2 bei Llama-3-8B, Rangliste von llama.cpp)</translation>
    </message>
    <message>
        <source>%1: the highest-quality mix that fits</source>
        <translation>%1: die hochwertigste Mischung, die passt</translation>
    </message>
    <message>
        <source>%1 does not fit: needs %2 GiB of %3, the profile has %4 GiB usable</source>
        <translation>%1 passt nicht: braucht %2 GiB %3, das Profil hat %4 GiB nutzbar</translation>
    </message>
    <message>
        <source>%1 would fit only with %2 of %3 layers on the GPU: a smaller mix that fits whole is faster</source>
        <translation>%1 passt nur mit %2 von %3 Schichten auf der GPU: eine kleinere Mischung, die ganz passt, ist schneller</translation>
    </message>
    <message>
        <source>none of the profile&apos;s preferred formats fits; %1 is not one of them</source>
        <translation>keines der bevorzugten Formate des Profils passt; %1 gehört nicht dazu</translation>
    </message>
    <message>
        <source>all %1 layers on the GPU</source>
        <translation>alle %1 Schichten auf der GPU</translation>
    </message>
    <message>
        <source>%1 of %2 layers on the GPU (-ngl %1), the rest in RAM</source>
        <translation>%1 von %2 Schichten auf der GPU (-ngl %1), der Rest im RAM</translation>
    </message>
    <message>
        <source>nothing fits: even %1 needs %2 GiB of %3, the profile has %4 GiB usable</source>
        <translation>nichts passt: selbst %1 braucht %2 GiB %3, das Profil hat %4 GiB nutzbar</translation>
    </message>
    <message>
        <source>context %1 is longer than the model was trained for (%2)</source>
        <translation>Kontext %1 ist länger als der, mit dem das Modell trainiert wurde (%2)</translation>
    </message>
    <message>
        <source>decoder linear: %1-bit, groups of %2</source>
        <translation>Decoder-Linearschicht: %1 Bit, Gruppen zu %2</translation>
    </message>
    <message>
        <source>not a decoder linear, kept as %1</source>
        <translation>keine Decoder-Linearschicht, bleibt %1</translation>
    </message>
</context>
<context>
    <name>condense::ui::ModelPanel</name>
    <message>
        <source>Filter tensors by name</source>
        <translation>Tensoren nach Namen filtern</translation>
    </message>
</context>
<context>
    <name>condense::ui::ModelSummary</name>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Types</source>
        <translation>Typen</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>No model open</source>
        <translation>Kein Modell geöffnet</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>inspection only</source>
        <translation>nur zur Ansicht</translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation>%1 Parameter</translation>
    </message>
    <message>
        <source>%1 bytes of tensor data</source>
        <translation>%1 Bytes Tensordaten</translation>
    </message>
    <message>
        <source>%1 heads (%2 KV)</source>
        <translation>%1 Köpfe (%2 KV)</translation>
    </message>
    <message>
        <source>%1 layers, hidden size %2</source>
        <translation>%1 Schichten, versteckte Dimension %2</translation>
    </message>
</context>
<context>
    <name>condense::ui::ModelTreeModel</name>
    <message>
        <source>Token embedding</source>
        <translation>Token-Embedding</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Sonstige</translation>
    </message>
    <message>
        <source>mixed</source>
        <translation>gemischt</translation>
    </message>
    <message>
        <source>1 tensor</source>
        <translation>1 Tensor</translation>
    </message>
    <message>
        <source>%1 tensors</source>
        <translation>%1 Tensoren</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 Bytes</translation>
    </message>
    <message>
        <source>%1 elements</source>
        <translation>%1 Elemente</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>unlesbar</translation>
    </message>
    <message>
        <source>Analysis pending</source>
        <translation>Analyse ausstehend</translation>
    </message>
    <message>
        <source>This tensor could not be read: %1</source>
        <translation>Dieser Tensor konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Contains %1 NaN and %2 infinite values</source>
        <translation>Enthält %1 NaN- und %2 unendliche Werte</translation>
    </message>
    <message>
        <source>%1: relative RMSE %2, SNR %3 dB, max error %4</source>
        <translation>%1: relativer RMSE %2, SNR %3 dB, max. Fehler %4</translation>
    </message>
    <message>
        <source>Preview error of the group&apos;s tensors together</source>
        <translation>Vorschaufehler aller Tensoren der Gruppe zusammen</translation>
    </message>
    <message>
        <source>Largest value in the group</source>
        <translation>Größter Wert der Gruppe</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
</context>
<context>
    <name>condense::ui::OutlierListModel</name>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>Spalte</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>From mean</source>
        <translation>Vom Mittelwert</translation>
    </message>
</context>
<context>
    <name>condense::ui::OutlierMapPlot</name>
    <message>
        <source>Rows %1, columns %2
max |w| / std = %3</source>
        <translation>Zeilen %1, Spalten %2
max |w| / Std. = %3</translation>
    </message>
    <message>
        <source>Column (input channel)</source>
        <translation>Spalte (Eingangskanal)</translation>
    </message>
    <message>
        <source>Row (output channel)</source>
        <translation>Zeile (Ausgangskanal)</translation>
    </message>
    <message>
        <source>max |w| / std</source>
        <translation>max |w| / Std.</translation>
    </message>
    <message>
        <source>Outlier #%1: row %2, column %3, w = %4</source>
        <translation>Ausreißer Nr. %1: Zeile %2, Spalte %3, w = %4</translation>
    </message>
</context>
<context>
    <name>condense::ui::PlanTableModel</name>
    <message>
        <source>%1-bit, groups of %2</source>
        <translation>%1 Bit, Gruppen zu %2</translation>
    </message>
    <message>
        <source>%1 (fallback)</source>
        <translation>%1 (Ersatz)</translation>
    </message>
    <message>
        <source>Chosen by you; double-click to change</source>
        <translation>Von dir gewählt; Doppelklick zum Ändern</translation>
    </message>
    <message>
        <source>Double-click to choose another type</source>
        <translation>Doppelklick, um einen anderen Typ zu wählen</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 Byte</translation>
    </message>
    <message>
        <source>Tensor</source>
        <translation>Tensor</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Warum</translation>
    </message>
</context>
<context>
    <name>condense::ui::ProfileCard</name>
    <message>
        <source>%1 RAM</source>
        <translation>%1 RAM</translation>
    </message>
    <message>
        <source>%1 unified</source>
        <translation>%1 gemeinsam</translation>
    </message>
    <message>
        <source>%1 VRAM + %2 RAM</source>
        <translation>%1 VRAM + %2 RAM</translation>
    </message>
    <message>
        <source>Add profile…</source>
        <translation>Profil hinzufügen…</translation>
    </message>
    <message>
        <source>Describe another machine: its memory, bandwidth and the formats it prefers</source>
        <translation>Eine weitere Maschine beschreiben: Speicher, Bandbreite und bevorzugte Formate</translation>
    </message>
    <message>
        <source>Prefers %1</source>
        <translation>Bevorzugt %1</translation>
    </message>
    <message>
        <source>Drop a model here to quantize it for this machine and test the result.</source>
        <translation>Ein Modell hier ablegen, um es für diese Maschine zu quantisieren und das Ergebnis zu testen.</translation>
    </message>
    <message>
        <source>Drop to quantize for this machine</source>
        <translation>Ablegen, um für diese Maschine zu quantisieren</translation>
    </message>
    <message>
        <source>Edit profile…</source>
        <translation>Profil bearbeiten…</translation>
    </message>
</context>
<context>
    <name>condense::ui::ProfileDialog</name>
    <message>
        <source>&amp;Total:</source>
        <translation>&amp;Gesamt:</translation>
    </message>
    <message>
        <source>&amp;Usable by the model:</source>
        <translation>Für das Modell &amp;nutzbar:</translation>
    </message>
    <message>
        <source>&amp;Bandwidth:</source>
        <translation>&amp;Bandbreite:</translation>
    </message>
    <message>
        <source>Edit Hardware Profile</source>
        <translation>Hardwareprofil bearbeiten</translation>
    </message>
    <message>
        <source>Add Hardware Profile</source>
        <translation>Hardwareprofil hinzufügen</translation>
    </message>
    <message>
        <source>CPU only (llama.cpp on the CPU)</source>
        <translation>Nur CPU (llama.cpp auf der CPU)</translation>
    </message>
    <message>
        <source>Apple silicon (unified memory, Metal)</source>
        <translation>Apple Silicon (gemeinsamer Speicher, Metal)</translation>
    </message>
    <message>
        <source>NVIDIA GPU (CUDA) with system RAM</source>
        <translation>NVIDIA-GPU (CUDA) mit Arbeitsspeicher</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>System RAM</source>
        <translation>Arbeitsspeicher</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Id:</source>
        <translation>ID:</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Art:</translation>
    </message>
    <message>
        <source>&amp;CPU compute:</source>
        <translation>&amp;CPU-Rechenleistung:</translation>
    </message>
    <message>
        <source>&amp;GPU compute:</source>
        <translation>&amp;GPU-Rechenleistung:</translation>
    </message>
    <message>
        <source>Share of &amp;bandwidth reached:</source>
        <translation>Erreichter &amp;Bandbreitenanteil:</translation>
    </message>
    <message>
        <source>&amp;Preferred formats:</source>
        <translation>&amp;Bevorzugte Formate:</translation>
    </message>
    <message>
        <source>N&amp;otes:</source>
        <translation>N&amp;otizen:</translation>
    </message>
    <message>
        <source>My laptop</source>
        <translation>Mein Laptop</translation>
    </message>
    <message>
        <source>Video memory (VRAM)</source>
        <translation>Grafikspeicher (VRAM)</translation>
    </message>
    <message>
        <source>Unified memory</source>
        <translation>Gemeinsamer Speicher</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>RAM</translation>
    </message>
    <message>
        <source>This profile is not valid: %1</source>
        <translation>Dieses Profil ist ungültig: %1</translation>
    </message>
</context>
<context>
    <name>condense::ui::QuantizePage</name>
    <message>
        <source>The hardware profiles could not be read.</source>
        <translation>Die Hardwareprofile konnten nicht gelesen werden.</translation>
    </message>
    <message>
        <source>No plan: %1</source>
        <translation>Kein Plan: %1</translation>
    </message>
    <message>
        <source>“%1” did not finish.</source>
        <translation>„%1“ wurde nicht abgeschlossen.</translation>
    </message>
    <message>
        <source>Read hardware profiles</source>
        <translation>Hardwareprofile lesen</translation>
    </message>
    <message>
        <source>Read the tensor list</source>
        <translation>Tensorliste lesen</translation>
    </message>
    <message>
        <source>Plan for %1</source>
        <translation>Plan für %1</translation>
    </message>
    <message>
        <source>Planning…</source>
        <translation>Plane…</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>RAM</translation>
    </message>
    <message>
        <source>Unified</source>
        <translation>Gemeinsam</translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation>VRAM</translation>
    </message>
    <message>
        <source>Nothing fits: the smallest plan needs %1, the profile has %2 usable.</source>
        <translation>Nichts passt: der kleinste Plan braucht %1, das Profil hat %2 nutzbar.</translation>
    </message>
    <message>
        <source>%1 fits: %2 of %3 usable</source>
        <translation>%1 passt: %2 von %3 nutzbar</translation>
    </message>
    <message>
        <source>%1 does not fit after your changes: %2 of %3 usable</source>
        <translation>%1 passt nach deinen Änderungen nicht: %2 von %3 nutzbar</translation>
    </message>
    <message>
        <source>all %1 layers on the GPU</source>
        <translation>alle %1 Schichten auf der GPU</translation>
    </message>
    <message>
        <source>%1 of %2 layers on the GPU</source>
        <translation>%1 von %2 Schichten auf der GPU</translation>
    </message>
    <message>
        <source>file %1</source>
        <translation>Datei %1</translation>
    </message>
    <message>
        <source>about %1 tokens/s generating, %2 tokens/s reading the prompt (predicted)</source>
        <translation>etwa %1 Token/s beim Generieren, %2 Token/s beim Lesen des Prompts (geschätzt)</translation>
    </message>
    <message>
        <source>%1 tensors · %2 · %3 bits per weight</source>
        <translation>%1 Tensoren · %2 · %3 Bit pro Gewicht</translation>
    </message>
    <message>
        <source>%1 fallbacks</source>
        <translation>%1 Ersatztypen</translation>
    </message>
    <message>
        <source>%1 changed by you</source>
        <translation>%1 von dir geändert</translation>
    </message>
    <message>
        <source>Output Folder</source>
        <translation>Ausgabeordner</translation>
    </message>
    <message>
        <source>Quantize %1 as %2 for %3</source>
        <translation>%1 als %2 für %3 quantisieren</translation>
    </message>
    <message>
        <source>Quantize %1 for %2</source>
        <translation>%1 für %2 quantisieren</translation>
    </message>
    <message>
        <source>The machine it must run on (drop a model on a card to quantize it for that machine):</source>
        <translation>Die Maschine, auf der es laufen muss (ein Modell auf eine Karte ziehen, um es dafür zu quantisieren):</translation>
    </message>
    <message>
        <source>&amp;Context:</source>
        <translation>&amp;Kontext:</translation>
    </message>
    <message>
        <source>Tokens the model must hold at once (llama.cpp&apos;s -c): the KV cache grows with it</source>
        <translation>Token, die das Modell gleichzeitig halten muss (-c von llama.cpp): der KV-Cache wächst damit</translation>
    </message>
    <message>
        <source>&amp;KV cache:</source>
        <translation>&amp;KV-Cache:</translation>
    </message>
    <message>
        <source>&amp;Mix:</source>
        <translation>&amp;Mischung:</translation>
    </message>
    <message>
        <source>Best that fits</source>
        <translation>Das Beste, was passt</translation>
    </message>
    <message>
        <source>&amp;Reset my changes</source>
        <translation>Meine Änderungen &amp;zurücksetzen</translation>
    </message>
    <message>
        <source>&amp;Output folder:</source>
        <translation>&amp;Ausgabeordner:</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>&amp;Quantize and test</source>
        <translation>&amp;Quantisieren und testen</translation>
    </message>
    <message>
        <source>Quantize with this plan, then compare the result with the original (Ctrl+Enter)</source>
        <translation>Mit diesem Plan quantisieren, dann das Ergebnis mit dem Original vergleichen (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>This folder holds only config.json: the plan shows what the model will need once downloaded. Open the folder with its weights to quantize it.</source>
        <translation>Dieser Ordner enthält nur config.json: Der Plan zeigt, was das Modell nach dem Herunterladen braucht. Öffne den Ordner mit den Gewichten, um es zu quantisieren.</translation>
    </message>
    <message>
        <source>The importance matrix could not be made.</source>
        <translation>Die Wichtigkeitsmatrix konnte nicht erstellt werden.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>Choose a file…</source>
        <translation>Datei wählen…</translation>
    </message>
    <message>
        <source>Importance Matrix</source>
        <translation>Wichtigkeitsmatrix</translation>
    </message>
    <message>
        <source>Importance matrices (*.gguf *.dat);;All files (*)</source>
        <translation>Wichtigkeitsmatrizen (*.gguf *.dat);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Make one from a text…</source>
        <translation>Aus einem Text erstellen…</translation>
    </message>
    <message>
        <source>Calibration Text</source>
        <translation>Kalibrierungstext</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>Textdateien (*.txt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <source>Calibrate %1 on %2</source>
        <translation>%1 mit %2 kalibrieren</translation>
    </message>
    <message>
        <source>&amp;Importance matrix:</source>
        <translation>&amp;Wichtigkeitsmatrix:</translation>
    </message>
    <message>
        <source>llama-imatrix&apos;s statistic of how much each weight column matters: the quantizer keeps those more exact</source>
        <translation>Die Statistik von llama-imatrix, wie wichtig jede Gewichtsspalte ist: Der Quantisierer hält diese genauer</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Wählen…</translation>
    </message>
    <message>
        <source>Make one from a bundled set</source>
        <translation>Aus einem mitgelieferten Textsatz erstellen</translation>
    </message>
    <message>
        <source>Runs the model over the calibration text block by block and rounds each weight so the layer&apos;s output error stays small: the same file size and types, lower KL divergence, minutes instead of seconds.</source>
        <translation>Lässt das Modell Block für Block über den Kalibriertext laufen und rundet jedes Gewicht so, dass der Ausgabefehler der Schicht klein bleibt: gleiche Dateigröße und Typen, geringere KL-Divergenz, Minuten statt Sekunden.</translation>
    </message>
    <message>
        <source>Rounds every block to its nearest values (llama-quantize&apos;s way); an importance matrix, when set, keeps the columns that matter more exact.</source>
        <translation>Rundet jeden Block auf die nächstgelegenen Werte (wie llama-quantize); eine Wichtigkeitsmatrix hält, falls gesetzt, die wichtigeren Spalten genauer.</translation>
    </message>
    <message>
        <source>M&amp;ethod:</source>
        <translation>M&amp;ethode:</translation>
    </message>
    <message>
        <source>Round to nearest</source>
        <translation>Auf nächsten Wert runden</translation>
    </message>
    <message>
        <source>GPTQ (calibrated)</source>
        <translation>GPTQ (kalibriert)</translation>
    </message>
    <message>
        <source>How each tensor&apos;s blocks get their values; the types and the file size are the plan&apos;s either way</source>
        <translation>Wie die Blöcke jedes Tensors ihre Werte erhalten; Typen und Dateigröße folgen in jedem Fall dem Plan</translation>
    </message>
    <message>
        <source>Ca&amp;libration:</source>
        <translation>Ka&amp;librierung:</translation>
    </message>
    <message>
        <source>General prose</source>
        <translation>Allgemeine Prosa</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <source>Multilingual</source>
        <translation>Mehrsprachig</translation>
    </message>
    <message>
        <source>The text GPTQ runs the model over (bundled; a held-out part of it is never used)</source>
        <translation>Der Text, über den GPTQ das Modell laufen lässt (mitgeliefert; ein zurückgehaltener Teil wird nie verwendet)</translation>
    </message>
    <message>
        <source>GPTQ: runs the model over the calibration text block by block and solves each layer&apos;s rounding so its output error stays small; minutes instead of seconds.</source>
        <translation>GPTQ: lässt das Modell Block für Block über den Kalibrierungstext laufen und wählt die Rundung jeder Schicht so, dass ihr Ausgabefehler klein bleibt; Minuten statt Sekunden.</translation>
    </message>
    <message>
        <source>AWQ: runs the model over the calibration text, scales up the channels that matter most before rounding and searches the clipping; minutes instead of seconds.</source>
        <translation>AWQ: lässt das Modell über den Kalibrierungstext laufen, skaliert die wichtigsten Kanäle vor dem Runden hoch und sucht die Begrenzung; Minuten statt Sekunden.</translation>
    </message>
    <message>
        <source>Rounds every group of weights to its nearest grid value: seconds, no calibration text.</source>
        <translation>Rundet jede Gewichtsgruppe auf den nächsten Gitterwert: Sekunden, kein Kalibrierungstext.</translation>
    </message>
    <message>
        <source>GPTQ folder</source>
        <translation>GPTQ-Ordner</translation>
    </message>
    <message>
        <source>AWQ folder</source>
        <translation>AWQ-Ordner</translation>
    </message>
    <message>
        <source>compressed-tensors folder</source>
        <translation>compressed-tensors-Ordner</translation>
    </message>
    <message>
        <source>GGUF file</source>
        <translation>GGUF-Datei</translation>
    </message>
    <message>
        <source>AWQ (calibrated)</source>
        <translation>AWQ (kalibriert)</translation>
    </message>
    <message>
        <source>A Hugging Face folder that transformers and vLLM load as GPTQ.</source>
        <translation>Ein Hugging-Face-Ordner, den transformers und vLLM als GPTQ laden.</translation>
    </message>
    <message>
        <source>A Hugging Face folder that AutoAWQ and vLLM load as AWQ (GEMM).</source>
        <translation>Ein Hugging-Face-Ordner, den AutoAWQ und vLLM als AWQ (GEMM) laden.</translation>
    </message>
    <message>
        <source>A Hugging Face folder that vLLM and llm-compressor load (compressed-tensors, pack-quantized).</source>
        <translation>Ein Hugging-Face-Ordner, den vLLM und llm-compressor laden (compressed-tensors, pack-quantized).</translation>
    </message>
    <message>
        <source>One file that llama.cpp, Ollama and LM Studio load, with the plan&apos;s types.</source>
        <translation>Eine Datei, die llama.cpp, Ollama und LM Studio laden, mit den Typen des Plans.</translation>
    </message>
    <message>
        <source>Each run gets its own folder here, holding the %1 “%2” and its report.</source>
        <translation>Jeder Lauf bekommt hier einen eigenen Ordner mit dem %1 „%2“ und seinem Bericht.</translation>
    </message>
    <message>
        <source>Each run gets its own folder here, holding the GGUF file “%1” and its report.</source>
        <translation>Jeder Lauf bekommt hier einen eigenen Ordner mit der GGUF-Datei „%1“ und seinem Bericht.</translation>
    </message>
    <message>
        <source>A %1 is made from a Hugging Face model folder (safetensors); this model is a GGUF file.</source>
        <translation>Ein %1 entsteht aus einem Hugging-Face-Modellordner (safetensors); dieses Modell ist eine GGUF-Datei.</translation>
    </message>
    <message>
        <source>%1: %2-bit weights in groups of %3 · weights %4</source>
        <translation>%1: %2-Bit-Gewichte in Gruppen zu %3 · Gewichte %4</translation>
    </message>
    <message>
        <source>The attention and MLP projections of every block are quantized; embeddings, the output layer and the norms keep their type. The machine profiles size GGUF files: a folder runs where its loaders run.</source>
        <translation>Die Attention- und MLP-Projektionen jedes Blocks werden quantisiert; Embeddings, Ausgabeschicht und Normen behalten ihren Typ. Die Maschinenprofile bemessen GGUF-Dateien: ein Ordner läuft dort, wo seine Lader laufen.</translation>
    </message>
    <message>
        <source>Quantize %1 as %2</source>
        <translation>%1 als %2 quantisieren</translation>
    </message>
    <message>
        <source>O&amp;utput format:</source>
        <translation>A&amp;usgabeformat:</translation>
    </message>
    <message>
        <source>What the run writes: one GGUF file, or a Hugging Face folder of quantized weights</source>
        <translation>Was der Lauf schreibt: eine GGUF-Datei oder einen Hugging-Face-Ordner mit quantisierten Gewichten</translation>
    </message>
    <message>
        <source>&amp;Bits:</source>
        <translation>&amp;Bits:</translation>
    </message>
    <message>
        <source>Bits per weight of the quantized linears (AWQ: 4)</source>
        <translation>Bits pro Gewicht der quantisierten Linearschichten (AWQ: 4)</translation>
    </message>
    <message>
        <source>&amp;Group size:</source>
        <translation>&amp;Gruppengröße:</translation>
    </message>
    <message>
        <source>Weights that share one scale: smaller groups are more exact and a little larger</source>
        <translation>Gewichte, die sich eine Skala teilen: kleinere Gruppen sind genauer und etwas größer</translation>
    </message>
    <message>
        <source>Symmetric</source>
        <translation>Symmetrisch</translation>
    </message>
    <message>
        <source>Asymmetric (zero points)</source>
        <translation>Asymmetrisch (Nullpunkte)</translation>
    </message>
    <message>
        <source>Asymmetric grids store a zero point per group (AWQ always does)</source>
        <translation>Asymmetrische Gitter speichern einen Nullpunkt pro Gruppe (AWQ immer)</translation>
    </message>
    <message>
        <source>Symmetry</source>
        <translation>Symmetrie</translation>
    </message>
    <message>
        <source>&amp;Act-order</source>
        <translation>&amp;Act-order</translation>
    </message>
    <message>
        <source>GPTQ quantizes the columns that matter most first (desc_act)</source>
        <translation>GPTQ quantisiert die wichtigsten Spalten zuerst (desc_act)</translation>
    </message>
    <message>
        <source>%L1 tokens</source>
        <translation>%L1 Tokens</translation>
    </message>
    <message>
        <source>&amp;Tokens:</source>
        <translation>&amp;Tokens:</translation>
    </message>
    <message>
        <source>How much of the calibration text the run reads: more tokens take longer and calibrate more evenly</source>
        <translation>Wie viel des Kalibriertexts der Lauf liest: mehr Tokens dauern länger und kalibrieren gleichmäßiger</translation>
    </message>
</context>
<context>
    <name>condense::ui::ResultsPage</name>
    <message>
        <source> pts</source>
        <translation> Pkt.</translation>
    </message>
    <message>
        <source>Per-layer chart as PNG…</source>
        <translation>Schichtdiagramm als PNG…</translation>
    </message>
    <message>
        <source>layers</source>
        <translation>schichten</translation>
    </message>
    <message>
        <source>Comparison chart as PNG…</source>
        <translation>Vergleichsdiagramm als PNG…</translation>
    </message>
    <message>
        <source>comparison</source>
        <translation>vergleich</translation>
    </message>
    <message>
        <source>Read earlier runs</source>
        <translation>Frühere Läufe lesen</translation>
    </message>
    <message>
        <source>%1 as %2</source>
        <translation>%1 als %2</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Bits per weight</source>
        <translation>Bit pro Gewicht</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>Perplexität</translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation>KL-Divergenz</translation>
    </message>
    <message>
        <source>p99 %1</source>
        <translation>p99 %1</translation>
    </message>
    <message>
        <source>Same top token</source>
        <translation>Gleiches Top-Token</translation>
    </message>
    <message>
        <source>Top-1 accuracy</source>
        <translation>Top-1-Genauigkeit</translation>
    </message>
    <message>
        <source>Multiple choice (%1 tasks)</source>
        <translation>Multiple Choice (%1 Aufgaben)</translation>
    </message>
    <message>
        <source>Prompt tokens/s</source>
        <translation>Prompt-Token/s</translation>
    </message>
    <message>
        <source>Generation tokens/s</source>
        <translation>Generierte Token/s</translation>
    </message>
    <message>
        <source>Size, planned → written</source>
        <translation>Größe, geplant → geschrieben</translation>
    </message>
    <message>
        <source>Nothing has been run yet. On the Quantize page, pick the machine the model must run on and press “Quantize and test”: this page then compares the original and the quantized model.</source>
        <translation>Noch nichts gelaufen. Wähle auf der Seite „Quantisieren“ die Maschine, auf der das Modell laufen muss, und drücke „Quantisieren und testen“: Diese Seite vergleicht dann das Original mit dem quantisierten Modell.</translation>
    </message>
    <message>
        <source>&amp;Run:</source>
        <translation>&amp;Lauf:</translation>
    </message>
    <message>
        <source>Open &amp;report</source>
        <translation>&amp;Bericht öffnen</translation>
    </message>
    <message>
        <source>Open report.html (charts, every figure) in the browser</source>
        <translation>report.html (Diagramme, alle Zahlen) im Browser öffnen</translation>
    </message>
    <message>
        <source>E&amp;xport</source>
        <translation>E&amp;xportieren</translation>
    </message>
    <message>
        <source>Original → quantized</source>
        <translation>Original → quantisiert</translation>
    </message>
    <message>
        <source>Per layer</source>
        <translation>Pro Schicht</translation>
    </message>
    <message>
        <source>Every run of this model</source>
        <translation>Alle Läufe dieses Modells</translation>
    </message>
    <message>
        <source>Generation tokens/s, %1 (predicted) → here</source>
        <translation>Generierte Token/s, %1 (geschätzt) → hier</translation>
    </message>
    <message>
        <source>%1 as %2: a %3 folder, method %4</source>
        <translation>%1 als %2: ein %3-Ordner, Methode %4</translation>
    </message>
</context>
</TS>
