<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr">
<context>
    <name>TensorStatistic</name>
    <message>
        <source>Kurtosis</source>
        <translation>Kurtosis</translation>
    </message>
    <message>
        <source>Outliers &gt; 3σ</source>
        <translation>Valeurs aberrantes &gt; 3σ</translation>
    </message>
    <message>
        <source>Abs max / std</source>
        <translation>Max. abs. / écart type</translation>
    </message>
    <message>
        <source>Standard deviation</source>
        <translation>Écart type</translation>
    </message>
    <message>
        <source>Preview error</source>
        <translation>Erreur d’aperçu</translation>
    </message>
    <message>
        <source>Excess kurtosis: 0 for a normal distribution, large for heavy tails.</source>
        <translation>Kurtosis excédentaire : 0 pour une loi normale, élevée pour des queues épaisses.</translation>
    </message>
    <message>
        <source>Share of weights more than 3 standard deviations from the mean.</source>
        <translation>Part des poids à plus de 3 écarts types de la moyenne.</translation>
    </message>
    <message>
        <source>Largest absolute weight in standard deviations: how far the worst outlier sits.</source>
        <translation>Plus grand poids en valeur absolue, en écarts types : jusqu’où va la pire valeur aberrante.</translation>
    </message>
    <message>
        <source>Standard deviation of the weights.</source>
        <translation>Écart type des poids.</translation>
    </message>
    <message>
        <source>Relative RMS error of the weights after quantizing and dequantizing them with the preview type.</source>
        <translation>Erreur RMS relative des poids après quantification et déquantification avec le type d’aperçu.</translation>
    </message>
</context>
<context>
    <name>condense::ui::CommandLine</name>
    <message>
        <source>Condense: see inside local language models and quantize them.</source>
        <translation>Condense&#xa0;: explorer et quantifier des modèles de langage locaux.</translation>
    </message>
    <message>
        <source>A model folder, .safetensors or .gguf file to open.</source>
        <translation>Un dossier de modèle, un fichier .safetensors ou .gguf à ouvrir.</translation>
    </message>
    <message>
        <source>Open the bundled demo model.</source>
        <translation>Ouvrir le modèle de démonstration fourni.</translation>
    </message>
    <message>
        <source>Save a PNG of the window to &lt;file&gt; once the model is open, then quit.</source>
        <translation>Enregistrer une image PNG de la fenêtre dans &lt;file&gt; une fois le modèle ouvert, puis quitter.</translation>
    </message>
    <message>
        <source>Use &lt;file&gt; for the settings instead of the user&apos;s.</source>
        <translation>Utiliser &lt;file&gt; pour les réglages au lieu de ceux de l&apos;utilisateur.</translation>
    </message>
    <message>
        <source>Use language &lt;code&gt; (en, de, fr, zh_CN or system) for this run.</source>
        <translation>Utiliser la langue &lt;code&gt; (en, de, fr, zh_CN ou system) pour cette exécution.</translation>
    </message>
    <message>
        <source>open one model at a time</source>
        <translation>ouvrez un seul modèle à la fois</translation>
    </message>
    <message>
        <source>Show &lt;page&gt; once the model is open: inspect, heatmap, quantize or results.</source>
        <translation>Afficher &lt;page&gt; une fois le modèle ouvert : inspect, heatmap, quantize ou results.</translation>
    </message>
    <message>
        <source>Select tensor &lt;name&gt; once the model is open.</source>
        <translation>Sélectionner le tenseur &lt;name&gt; une fois le modèle ouvert.</translation>
    </message>
    <message>
        <source>unknown page &apos;%1&apos; (inspect, heatmap, quantize, results)</source>
        <translation>page inconnue « %1 » (inspect, heatmap, quantize, results)</translation>
    </message>
    <message>
        <source>Choose output format &lt;format&gt; on the Quantize page: gguf, gptq, awq or compressed-tensors.</source>
        <translation>Choisir le format de sortie &lt;format&gt; sur la page Quantifier : gguf, gptq, awq ou compressed-tensors.</translation>
    </message>
    <message>
        <source>unknown format &apos;%1&apos; (gguf, gptq, awq, compressed-tensors)</source>
        <translation>format inconnu &apos;%1&apos; (gguf, gptq, awq, compressed-tensors)</translation>
    </message>
</context>
<context>
    <name>condense::ui::ComparisonChart</name>
    <message>
        <source>%1, %2
%3 (%4 bits per weight)
KLD %5 · perplexity %6 · same top token %7</source>
        <translation>%1, %2
%3 (%4 bits par poids)
KLD %5 · perplexité %6 · même jeton de tête %7</translation>
    </message>
    <message>
        <source>File size (MB)</source>
        <translation>Taille du fichier (Mo)</translation>
    </message>
    <message>
        <source>KL divergence to the original (mean)</source>
        <translation>Divergence KL par rapport à l’original (moyenne)</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>Perplexité</translation>
    </message>
    <message>
        <source>runs</source>
        <translation>exécutions</translation>
    </message>
    <message>
        <source>Pareto front</source>
        <translation>Front de Pareto</translation>
    </message>
    <message>
        <source>this run</source>
        <translation>cette exécution</translation>
    </message>
    <message>
        <source>original</source>
        <translation>original</translation>
    </message>
</context>
<context>
    <name>condense::ui::DropZone</name>
    <message>
        <source>Only files and folders on this computer can be opened.</source>
        <translation>Seuls les fichiers et dossiers de cet ordinateur peuvent être ouverts.</translation>
    </message>
    <message>
        <source>Release to open the model folder “%1”.</source>
        <translation>Relâchez pour ouvrir le dossier de modèle «&#xa0;%1&#xa0;».</translation>
    </message>
    <message>
        <source>Release to open the GGUF file “%1”.</source>
        <translation>Relâchez pour ouvrir le fichier GGUF «&#xa0;%1&#xa0;».</translation>
    </message>
    <message>
        <source>Release to open the safetensors file “%1”.</source>
        <translation>Relâchez pour ouvrir le fichier safetensors «&#xa0;%1&#xa0;».</translation>
    </message>
    <message>
        <source>“%1” is a PyTorch pickle file: Condense refuses to load it because it can run code. Convert it to safetensors first.</source>
        <translation>«&#xa0;%1&#xa0;» est un fichier pickle PyTorch&#xa0;: Condense refuse de le charger, car il peut exécuter du code. Convertissez-le d&apos;abord en safetensors.</translation>
    </message>
    <message>
        <source>Release to try “%1”: Condense will check whether it is a model.</source>
        <translation>Relâchez pour essayer «&#xa0;%1&#xa0;»&#xa0;: Condense vérifiera s&apos;il s&apos;agit d&apos;un modèle.</translation>
    </message>
    <message>
        <source>Only the first of the %1 dropped items is opened.</source>
        <translation>Seul le premier des %1 éléments déposés est ouvert.</translation>
    </message>
    <message>
        <source>Drop a model folder or a .gguf file here</source>
        <translation>Déposez ici un dossier de modèle ou un fichier .gguf</translation>
    </message>
    <message>
        <source>Hugging Face folders, .safetensors and .gguf files are read, never changed.</source>
        <translation>Les dossiers Hugging Face et les fichiers .safetensors et .gguf sont lus, jamais modifiés.</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Ouvrir…</translation>
    </message>
    <message>
        <source>Open a .gguf or .safetensors file (the arrow opens a folder)</source>
        <translation>Ouvrir un fichier .gguf ou .safetensors (la flèche ouvre un dossier)</translation>
    </message>
    <message>
        <source>Open Folder…</source>
        <translation>Ouvrir un dossier…</translation>
    </message>
    <message>
        <source>Try the demo model</source>
        <translation>Essayer le modèle de démonstration</translation>
    </message>
    <message>
        <source>Open tiny-llama-spm, a 6.8 M parameter model that comes with Condense</source>
        <translation>Ouvrir tiny-llama-spm, un modèle de 6,8 M de paramètres fourni avec Condense</translation>
    </message>
</context>
<context>
    <name>condense::ui::ErrorText</name>
    <message>
        <source>No error.</source>
        <translation>Aucune erreur.</translation>
    </message>
    <message>
        <source>The operation was cancelled.</source>
        <translation>L&apos;opération a été annulée.</translation>
    </message>
    <message>
        <source>The file or folder does not exist.</source>
        <translation>Le fichier ou le dossier n&apos;existe pas.</translation>
    </message>
    <message>
        <source>The file could not be read or written.</source>
        <translation>Le fichier n&apos;a pas pu être lu ou écrit.</translation>
    </message>
    <message>
        <source>The disk is full.</source>
        <translation>Le disque est plein.</translation>
    </message>
    <message>
        <source>The file ends too early; it may be incomplete (an interrupted download?).</source>
        <translation>Le fichier se termine trop tôt&#xa0;; il est peut-être incomplet (un téléchargement interrompu&#xa0;?).</translation>
    </message>
    <message>
        <source>The file is not of the kind its name says.</source>
        <translation>Le fichier n&apos;est pas du type qu&apos;indique son nom.</translation>
    </message>
    <message>
        <source>This version of the file format is not supported.</source>
        <translation>Cette version du format de fichier n&apos;est pas prise en charge.</translation>
    </message>
    <message>
        <source>The file is damaged or not valid.</source>
        <translation>Le fichier est endommagé ou non valide.</translation>
    </message>
    <message>
        <source>The file points to data beyond its end.</source>
        <translation>Le fichier pointe vers des données au-delà de sa fin.</translation>
    </message>
    <message>
        <source>The file declares sizes too large to be real.</source>
        <translation>Le fichier déclare des tailles trop grandes pour être réelles.</translation>
    </message>
    <message>
        <source>The file uses a data type Condense does not know.</source>
        <translation>Le fichier utilise un type de données que Condense ne connaît pas.</translation>
    </message>
    <message>
        <source>This is not a model Condense can open. Use a Hugging Face model folder, a .safetensors file or a .gguf file.</source>
        <translation>Ce n&apos;est pas un modèle que Condense peut ouvrir. Utilisez un dossier de modèle Hugging Face, un fichier .safetensors ou un fichier .gguf.</translation>
    </message>
    <message>
        <source>PyTorch pickle files (.bin, .pt) can run code when they are loaded, so Condense never opens them. Convert the model to safetensors first.</source>
        <translation>Les fichiers pickle PyTorch (.bin, .pt) peuvent exécuter du code au chargement&#xa0;; Condense ne les ouvre donc jamais. Convertissez d&apos;abord le modèle en safetensors.</translation>
    </message>
    <message>
        <source>This model architecture is not supported yet.</source>
        <translation>Cette architecture de modèle n&apos;est pas encore prise en charge.</translation>
    </message>
    <message>
        <source>A tensor the model needs is missing.</source>
        <translation>Un tenseur dont le modèle a besoin est manquant.</translation>
    </message>
    <message>
        <source>The tokenizer files are missing.</source>
        <translation>Les fichiers du tokenizer sont manquants.</translation>
    </message>
    <message>
        <source>Unknown error.</source>
        <translation>Erreur inconnue.</translation>
    </message>
    <message>
        <source>Opening</source>
        <translation>Ouverture</translation>
    </message>
    <message>
        <source>Reading tensors</source>
        <translation>Lecture des tenseurs</translation>
    </message>
    <message>
        <source>Converting</source>
        <translation>Conversion</translation>
    </message>
    <message>
        <source>Quantizing</source>
        <translation>Quantification</translation>
    </message>
    <message>
        <source>Writing</source>
        <translation>Écriture</translation>
    </message>
    <message>
        <source>Checking the written file</source>
        <translation>Vérification du fichier écrit</translation>
    </message>
    <message>
        <source>Analyzing</source>
        <translation>Analyse</translation>
    </message>
    <message>
        <source>Evaluating</source>
        <translation>Évaluation</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>En cours</translation>
    </message>
    <message>
        <source>Hugging Face folder</source>
        <translation>Dossier Hugging Face</translation>
    </message>
    <message>
        <source>safetensors file</source>
        <translation>Fichier safetensors</translation>
    </message>
    <message>
        <source>GGUF file</source>
        <translation>Fichier GGUF</translation>
    </message>
    <message>
        <source>Could not open “%1”: %2</source>
        <translation>Impossible d&apos;ouvrir «&#xa0;%1&#xa0;»&#xa0;: %2</translation>
    </message>
    <message>
        <source>Measuring speed</source>
        <translation>Mesure de la vitesse</translation>
    </message>
    <message>
        <source>Generating</source>
        <translation>Génération</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>En file d’attente</translation>
    </message>
    <message>
        <source>Calibrating</source>
        <translation>Calibration</translation>
    </message>
    <message>
        <source>This cannot be done.</source>
        <translation>Ce n’est pas possible.</translation>
    </message>
</context>
<context>
    <name>condense::ui::HeatmapPlot</name>
    <message>
        <source>%1
%2: pending</source>
        <translation>%1
%2 : en attente</translation>
    </message>
    <message>
        <source>%1
%2: %3</source>
        <translation>%1
%2 : %3</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>n/d</translation>
    </message>
    <message>
        <source>outside</source>
        <translation>hors blocs</translation>
    </message>
    <message>
        <source>Tensor role</source>
        <translation>Rôle du tenseur</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Couche</translation>
    </message>
</context>
<context>
    <name>condense::ui::HelpDialog</name>
    <message>
        <source>Condense Help</source>
        <translation>Aide de Condense</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Condense quick help&lt;/h3&gt;&lt;p&gt;Condense shows what is inside a local language model, quantizes it for the machine it must run on, and measures what the quantization cost.&lt;/p&gt;&lt;h4&gt;Open a model&lt;/h4&gt;&lt;ul&gt;&lt;li&gt;Drop a Hugging Face model folder (config.json and .safetensors files), a single .safetensors file or a .gguf file onto the window.&lt;/li&gt;&lt;li&gt;Or use File ▸ Open File… (Ctrl+O) or File ▸ Open Folder… (Ctrl+Shift+O).&lt;/li&gt;&lt;li&gt;“Try the demo model” opens tiny-llama-spm, a small model that comes with Condense.&lt;/li&gt;&lt;li&gt;A folder with only config.json opens for planning: see what the model would need before you download it.&lt;/li&gt;&lt;li&gt;PyTorch .bin and .pt files are refused: they can run code when loaded. Convert them to safetensors first.&lt;/li&gt;&lt;/ul&gt;&lt;h4&gt;Inspect&lt;/h4&gt;&lt;p&gt;Every tensor is analysed in the background. Select one in the tree to see its histogram, its outlier map and its largest weights; “Whole model” shows a heatmap of all layers (click a cell to select that tensor). “Preview as” shows the error a quantization type would cause.&lt;/p&gt;&lt;h4&gt;Quantize&lt;/h4&gt;&lt;p&gt;Pick the machine (a profile card), the context length and the KV-cache type: Condense picks the best type that fits and shows the plan, which you can edit. “Quantize and test” writes the GGUF (or, with another Output format, a GPTQ, AWQ or compressed-tensors folder for transformers and vLLM) and compares it with the original. Dropping a model on a card does all of it for that machine.&lt;/p&gt;&lt;h4&gt;Results&lt;/h4&gt;&lt;p&gt;Size, perplexity, KL divergence, agreement and speed, original → quantized; the per-layer chart (click a layer to inspect it) and every run of the model by size.&lt;/p&gt;&lt;h4&gt;Keyboard&lt;/h4&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;Ctrl+O&lt;/td&gt;&lt;td&gt;Open a file&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Shift+O&lt;/td&gt;&lt;td&gt;Open a folder&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Enter&lt;/td&gt;&lt;td&gt;Quantize and test (Quantize page)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Arrow keys, Enter&lt;/td&gt;&lt;td&gt;Move on the heatmap, select the tensor&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Esc&lt;/td&gt;&lt;td&gt;Cancel the focused job&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;F1&lt;/td&gt;&lt;td&gt;This help&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Q&lt;/td&gt;&lt;td&gt;Quit&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;Aide rapide de Condense&lt;/h3&gt;&lt;p&gt;Condense montre ce que contient un modèle de langage local, le quantifie pour la machine sur laquelle il doit tourner et mesure ce que la quantification a coûté.&lt;/p&gt;&lt;h4&gt;Ouvrir un modèle&lt;/h4&gt;&lt;ul&gt;&lt;li&gt;Déposez sur la fenêtre un dossier de modèle Hugging Face (config.json et fichiers .safetensors), un fichier .safetensors ou un fichier .gguf.&lt;/li&gt;&lt;li&gt;Ou utilisez Fichier ▸ Ouvrir un fichier… (Ctrl+O) ou Fichier ▸ Ouvrir un dossier… (Ctrl+Maj+O).&lt;/li&gt;&lt;li&gt;« Essayer le modèle de démonstration » ouvre tiny-llama-spm, un petit modèle fourni avec Condense.&lt;/li&gt;&lt;li&gt;Un dossier qui ne contient que config.json s’ouvre pour la planification : voyez ce dont le modèle aurait besoin avant de le télécharger.&lt;/li&gt;&lt;li&gt;Les fichiers PyTorch .bin et .pt sont refusés : ils peuvent exécuter du code au chargement. Convertissez-les d’abord en safetensors.&lt;/li&gt;&lt;/ul&gt;&lt;h4&gt;Examiner&lt;/h4&gt;&lt;p&gt;Chaque tenseur est analysé en arrière-plan. Sélectionnez-en un dans l’arbre pour voir son histogramme, sa carte des valeurs aberrantes et ses plus grands poids ; « Modèle entier » montre une carte de chaleur de toutes les couches (cliquez sur une case pour sélectionner ce tenseur). « Aperçu en » montre l’erreur qu’un type de quantification causerait.&lt;/p&gt;&lt;h4&gt;Quantifier&lt;/h4&gt;&lt;p&gt;Choisissez la machine (une carte de profil), la longueur de contexte et le type de cache KV : Condense choisit le meilleur type qui tient et montre le plan, que vous pouvez modifier. « Quantifier et tester » écrit le GGUF (ou, avec un autre format de sortie, un dossier GPTQ, AWQ ou compressed-tensors pour transformers et vLLM) et le compare à l’original. Déposer un modèle sur une carte fait tout cela pour cette machine.&lt;/p&gt;&lt;h4&gt;Résultats&lt;/h4&gt;&lt;p&gt;Taille, perplexité, divergence KL, concordance et vitesse, original → quantifié ; le graphique par couche (cliquez sur une couche pour l’examiner) et toutes les exécutions du modèle par taille.&lt;/p&gt;&lt;h4&gt;Clavier&lt;/h4&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;Ctrl+O&lt;/td&gt;&lt;td&gt;Ouvrir un fichier&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Maj+O&lt;/td&gt;&lt;td&gt;Ouvrir un dossier&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Entrée&lt;/td&gt;&lt;td&gt;Quantifier et tester (page Quantifier)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Flèches, Entrée&lt;/td&gt;&lt;td&gt;Se déplacer sur la carte de chaleur, sélectionner le tenseur&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Échap&lt;/td&gt;&lt;td&gt;Annuler la tâche sélectionnée&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;F1&lt;/td&gt;&lt;td&gt;Cette aide&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Ctrl+Q&lt;/td&gt;&lt;td&gt;Quitter&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
</context>
<context>
    <name>condense::ui::HistogramPlot</name>
    <message>
        <source>%1 to %2: %3 weights</source>
        <translation>%1 à %2 : %3 poids</translation>
    </message>
    <message>
        <source>Weight value</source>
        <translation>Valeur du poids</translation>
    </message>
    <message>
        <source>Count (log scale)</source>
        <translation>Nombre (échelle log.)</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>mean and ±3σ marked</source>
        <translation>moyenne et ±3σ marquées</translation>
    </message>
    <message>
        <source>%1 below, %2 above the range</source>
        <translation>%1 sous la plage, %2 au-dessus</translation>
    </message>
    <message>
        <source>%1 NaN/Inf not counted</source>
        <translation>%1 NaN/Inf non comptés</translation>
    </message>
</context>
<context>
    <name>condense::ui::InspectPage</name>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <source>no</source>
        <translation>non</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>Vocabulaire</translation>
    </message>
    <message>
        <source>Hidden size</source>
        <translation>Dimension cachée</translation>
    </message>
    <message>
        <source>Feed-forward size</source>
        <translation>Dimension feed-forward</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Couches</translation>
    </message>
    <message>
        <source>Attention heads</source>
        <translation>Têtes d&apos;attention</translation>
    </message>
    <message>
        <source>Key/value heads</source>
        <translation>Têtes clé/valeur</translation>
    </message>
    <message>
        <source>Head size</source>
        <translation>Taille de tête</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>Longueur de contexte</translation>
    </message>
    <message>
        <source>RoPE base</source>
        <translation>Base RoPE</translation>
    </message>
    <message>
        <source>Norm epsilon</source>
        <translation>Epsilon de normalisation</translation>
    </message>
    <message>
        <source>Tied embeddings</source>
        <translation>Embeddings liés</translation>
    </message>
    <message>
        <source>not in a layer</source>
        <translation>hors couche</translation>
    </message>
    <message>
        <source>Select a tensor in the tree on the left.</source>
        <translation>Sélectionnez un tenseur dans l&apos;arbre à gauche.</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>Histogramme</translation>
    </message>
    <message>
        <source>Outlier map</source>
        <translation>Carte des valeurs aberrantes</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>Carte de chaleur</translation>
    </message>
    <message>
        <source>%1 as PNG…</source>
        <translation>%1 en PNG…</translation>
    </message>
    <message>
        <source>&amp;Tensor</source>
        <translation>&amp;Tenseur</translation>
    </message>
    <message>
        <source>Histogram and outlier map of the selected tensor</source>
        <translation>Histogramme et carte des valeurs aberrantes du tenseur sélectionné</translation>
    </message>
    <message>
        <source>&amp;Whole model</source>
        <translation>&amp;Modèle entier</translation>
    </message>
    <message>
        <source>Heatmap of every tensor: layers down, tensor roles across</source>
        <translation>Carte de chaleur de tous les tenseurs : couches en lignes, rôles en colonnes</translation>
    </message>
    <message>
        <source>Colour &amp;by:</source>
        <translation>&amp;Colorer selon :</translation>
    </message>
    <message>
        <source>&amp;Preview as:</source>
        <translation>&amp;Aperçu en :</translation>
    </message>
    <message>
        <source>Quantize and dequantize every tensor as this llama-quantize mix would, and show the error</source>
        <translation>Quantifier et déquantifier chaque tenseur comme le ferait ce mélange llama-quantize, et afficher l’erreur</translation>
    </message>
    <message>
        <source>E&amp;xport</source>
        <translation>E&amp;xporter</translation>
    </message>
    <message>
        <source>Save a plot as a PNG image</source>
        <translation>Enregistrer un graphique en image PNG</translation>
    </message>
    <message>
        <source>&amp;Log scale</source>
        <translation>Échelle &amp;log.</translation>
    </message>
    <message>
        <source>Largest weights</source>
        <translation>Plus grands poids</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Statistiques</translation>
    </message>
    <message>
        <source>Quantization preview</source>
        <translation>Aperçu de la quantification</translation>
    </message>
    <message>
        <source>Analysing: %1 of %2 tensors</source>
        <translation>Analyse : %1 tenseurs sur %2</translation>
    </message>
    <message>
        <source>%1 tensors analysed</source>
        <translation>%1 tenseurs analysés</translation>
    </message>
    <message>
        <source>Analysis failed after %1 of %2 tensors</source>
        <translation>Échec de l’analyse après %1 tenseurs sur %2</translation>
    </message>
    <message>
        <source>Analysis stopped after %1 of %2 tensors</source>
        <translation>Analyse arrêtée après %1 tenseurs sur %2</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>couche %1</translation>
    </message>
    <message>
        <source>%1 = %2 elements</source>
        <translation>%1 = %2 éléments</translation>
    </message>
    <message>
        <source>%1 (%2 bytes)</source>
        <translation>%1 (%2 octets)</translation>
    </message>
    <message>
        <source>Analysis of this tensor is pending…</source>
        <translation>L’analyse de ce tenseur est en attente…</translation>
    </message>
    <message>
        <source>This tensor has not been analysed.</source>
        <translation>Ce tenseur n’a pas été analysé.</translation>
    </message>
    <message>
        <source>This tensor could not be read: %1</source>
        <translation>Ce tenseur n’a pas pu être lu : %1</translation>
    </message>
    <message>
        <source>Contains %1 NaN and %2 infinite values: the statistics and the histogram count the finite ones.</source>
        <translation>Contient %1 NaN et %2 valeurs infinies : les statistiques et l’histogramme comptent les valeurs finies.</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>Moyenne</translation>
    </message>
    <message>
        <source>Std</source>
        <translation>Écart type</translation>
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
        <translation>Max. abs.</translation>
    </message>
    <message>
        <source>Abs max / std</source>
        <translation>Max. abs. / écart type</translation>
    </message>
    <message>
        <source>Kurtosis (excess)</source>
        <translation>Kurtosis (excédentaire)</translation>
    </message>
    <message>
        <source>Beyond 3σ</source>
        <translation>Au-delà de 3σ</translation>
    </message>
    <message>
        <source>Beyond 6σ</source>
        <translation>Au-delà de 6σ</translation>
    </message>
    <message>
        <source>Exact zeros</source>
        <translation>Zéros exacts</translation>
    </message>
    <message>
        <source>NaN / Inf</source>
        <translation>NaN / Inf</translation>
    </message>
    <message>
        <source>Preview type</source>
        <translation>Type d’aperçu</translation>
    </message>
    <message>
        <source>Relative RMSE</source>
        <translation>RMSE relative</translation>
    </message>
    <message>
        <source>SNR</source>
        <translation>RSB</translation>
    </message>
    <message>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <source>Max abs error</source>
        <translation>Erreur abs. max.</translation>
    </message>
    <message>
        <source>Weighted RMSE</source>
        <translation>RMSE pondérée</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Aperçu</translation>
    </message>
    <message>
        <source>pending…</source>
        <translation>en attente…</translation>
    </message>
    <message>
        <source>none for this tensor</source>
        <translation>aucun pour ce tenseur</translation>
    </message>
    <message>
        <source>Largest weights (%1)</source>
        <translation>Plus grands poids (%1)</translation>
    </message>
    <message>
        <source>Mix</source>
        <translation>Mélange</translation>
    </message>
    <message>
        <source>layer %1 (%2)</source>
        <translation>couche %1 (%2)</translation>
    </message>
    <message>
        <source>Worst layers</source>
        <translation>Pires couches</translation>
    </message>
</context>
<context>
    <name>condense::ui::JobRow</name>
    <message>
        <source>Starting</source>
        <translation>Démarrage</translation>
    </message>
    <message>
        <source>ETA –</source>
        <translation>Reste –</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>Reste %1</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Cancel this job (Esc)</source>
        <translation>Annuler cette tâche (Échap)</translation>
    </message>
</context>
<context>
    <name>condense::ui::JobStrip</name>
    <message>
        <source>%1: done in %2</source>
        <translation>%1&#xa0;: terminé en %2</translation>
    </message>
    <message>
        <source>%1: cancelled</source>
        <translation>%1&#xa0;: annulé</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Tâches</translation>
    </message>
    <message>
        <source>No jobs running</source>
        <translation>Aucune tâche en cours</translation>
    </message>
    <message>
        <source>Cancel job</source>
        <translation>Annuler la tâche</translation>
    </message>
    <message>
        <source>“%1” has been running for %2. Cancel it?</source>
        <translation>«&#xa0;%1&#xa0;» tourne depuis %2. L&apos;annuler&#xa0;?</translation>
    </message>
    <message>
        <source>%1: failed</source>
        <translation>%1&#xa0;: échec</translation>
    </message>
    <message>
        <source>Show results</source>
        <translation>Afficher les résultats</translation>
    </message>
</context>
<context>
    <name>condense::ui::LayerChart</name>
    <message>
        <source>Layer %1
drift of its output: %2 (cosine %3)
weight error: %4</source>
        <translation>Couche %1
dérive de sa sortie : %2 (cosinus %3)
erreur des poids : %4</translation>
    </message>
    <message>
        <source>among the layers that add the most drift</source>
        <translation>parmi les couches qui ajoutent le plus de dérive</translation>
    </message>
    <message>
        <source>among the layers with the largest weight error</source>
        <translation>parmi les couches à la plus grande erreur de poids</translation>
    </message>
    <message>
        <source>Click to inspect this layer</source>
        <translation>Cliquer pour examiner cette couche</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Couche</translation>
    </message>
    <message>
        <source>Drift of the layer&apos;s output (relative error)</source>
        <translation>Dérive de la sortie de la couche (erreur relative)</translation>
    </message>
    <message>
        <source>Weight error (relative RMSE)</source>
        <translation>Erreur des poids (RMSE relative)</translation>
    </message>
    <message>
        <source>drift</source>
        <translation>dérive</translation>
    </message>
    <message>
        <source>drift, worst layers</source>
        <translation>dérive, pires couches</translation>
    </message>
    <message>
        <source>weight error</source>
        <translation>erreur des poids</translation>
    </message>
</context>
<context>
    <name>condense::ui::MainWindow</name>
    <message>
        <source>Quantize</source>
        <translation>Quantifier</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>Résultats</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Open File…</source>
        <translation>&amp;Ouvrir un fichier…</translation>
    </message>
    <message>
        <source>Open a .gguf or .safetensors file</source>
        <translation>Ouvrir un fichier .gguf ou .safetensors</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>Ouvrir un &amp;dossier…</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder</source>
        <translation>Ouvrir un dossier de modèle Hugging Face</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>Ouvrir un fichier &amp;récent</translation>
    </message>
    <message>
        <source>Open &amp;Demo Model</source>
        <translation>Ouvrir le modèle de dé&amp;monstration</translation>
    </message>
    <message>
        <source>&amp;Close Model</source>
        <translation>&amp;Fermer le modèle</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Expand All Groups</source>
        <translation>&amp;Déplier tous les groupes</translation>
    </message>
    <message>
        <source>C&amp;ollapse All Groups</source>
        <translation>&amp;Replier tous les groupes</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Langue</translation>
    </message>
    <message>
        <source>System Default</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>Condense &amp;Help</source>
        <translation>&amp;Aide de Condense</translation>
    </message>
    <message>
        <source>&amp;About Condense</source>
        <translation>À &amp;propos de Condense</translation>
    </message>
    <message>
        <source>Inspect</source>
        <translation>Inspecter</translation>
    </message>
    <message>
        <source>No recent models</source>
        <translation>Aucun modèle récent</translation>
    </message>
    <message>
        <source>Clear Recent Models</source>
        <translation>Effacer la liste</translation>
    </message>
    <message>
        <source>Open Model File</source>
        <translation>Ouvrir un fichier de modèle</translation>
    </message>
    <message>
        <source>Model files (*.gguf *.safetensors);;All files (*)</source>
        <translation>Fichiers de modèle (*.gguf *.safetensors);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation>Ouvrir un dossier de modèle</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>Ouvrir %1</translation>
    </message>
    <message>
        <source>Open demo model</source>
        <translation>Ouvrir le modèle de démonstration</translation>
    </message>
    <message>
        <source>%1 (demo)</source>
        <translation>%1 (démo)</translation>
    </message>
    <message>
        <source>About Condense</source>
        <translation>À propos de Condense</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Condense %1&lt;/h3&gt;&lt;p&gt;A desktop studio that shows what is inside a local language model, quantizes it and measures what the quantization cost.&lt;/p&gt;&lt;p&gt;Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Condense %1&lt;/h3&gt;&lt;p&gt;Un studio de bureau qui montre ce que contient un modèle de langage local, le quantifie et mesure ce que la quantification a coûté.&lt;/p&gt;&lt;p&gt;Construit avec Qt %2.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Analyse %1</source>
        <translation>Analyser %1</translation>
    </message>
    <message>
        <source>Export Plot</source>
        <translation>Exporter le graphique</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>Images PNG (*.png)</translation>
    </message>
    <message>
        <source>Export %1</source>
        <translation>Exporter %1</translation>
    </message>
    <message>
        <source>The weight analysis failed.</source>
        <translation>L’analyse des poids a échoué.</translation>
    </message>
    <message>
        <source>The image could not be saved.</source>
        <translation>L’image n’a pas pu être enregistrée.</translation>
    </message>
    <message>
        <source>Save profile %1</source>
        <translation>Enregistrer le profil %1</translation>
    </message>
    <message>
        <source>The profile could not be saved.</source>
        <translation>Le profil n’a pas pu être enregistré.</translation>
    </message>
    <message>
        <source>%1 (config.json only)</source>
        <translation>%1 (config.json seul)</translation>
    </message>
</context>
<context>
    <name>condense::ui::MemoryFitBar</name>
    <message>
        <source>fits</source>
        <translation>tient</translation>
    </message>
    <message>
        <source>does not fit</source>
        <translation>ne tient pas</translation>
    </message>
    <message>
        <source>%1: needs %2 of %3 usable (%4): weights %5, KV cache %6, compute %7, runtime %8</source>
        <translation>%1 : nécessite %2 sur %3 utilisables (%4) : poids %5, cache KV %6, calcul %7, environnement %8</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>poids</translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation>cache KV</translation>
    </message>
    <message>
        <source>compute</source>
        <translation>calcul</translation>
    </message>
    <message>
        <source>runtime</source>
        <translation>environnement</translation>
    </message>
    <message>
        <source>| usable memory</source>
        <translation>| mémoire utilisable</translation>
    </message>
</context>
<context>
    <name>condense::ui::MessageBanner</name>
    <message>
        <source>Dismiss</source>
        <translation>Fermer</translation>
    </message>
</context>
<context>
    <name>condense::ui::MessageText</name>
    <message>
        <source>output</source>
        <translation>sortie</translation>
    </message>
    <message>
        <source>tied token_embd (output rule)</source>
        <translation>token_embd lié (règle de sortie)</translation>
    </message>
    <message>
        <source>%1: falcon -&gt; %2</source>
        <translation>%1 : falcon -&gt; %2</translation>
    </message>
    <message>
        <source>%1: row %2 not a multiple of %3 -&gt; %4</source>
        <translation>%1 : ligne %2 non multiple de %3 -&gt; %4</translation>
    </message>
    <message>
        <source>%1 -&gt; %2</source>
        <translation>%1 -&gt; %2</translation>
    </message>
    <message>
        <source>%1 of a 70B model</source>
        <translation>%1 d’un modèle 70B</translation>
    </message>
    <message>
        <source>%1 of an 8-expert model</source>
        <translation>%1 d’un modèle à 8 experts</translation>
    </message>
    <message>
        <source>%1 bump</source>
        <translation>%1 relevé</translation>
    </message>
    <message>
        <source>%1 falcon</source>
        <translation>%1 falcon</translation>
    </message>
    <message>
        <source>%1 with imatrix</source>
        <translation>%1 avec matrice d’importance</translation>
    </message>
    <message>
        <source>%1 without imatrix</source>
        <translation>%1 sans matrice d’importance</translation>
    </message>
    <message>
        <source>%1, gqa %2</source>
        <translation>%1, gqa %2</translation>
    </message>
    <message>
        <source>%1, use_more_bits</source>
        <translation>%1, use_more_bits</translation>
    </message>
    <message>
        <source>%1, first %2</source>
        <translation>%1, %2 premières</translation>
    </message>
    <message>
        <source>%1, first eighth</source>
        <translation>%1, premier huitième</translation>
    </message>
    <message>
        <source>%1, first sixteenth</source>
        <translation>%1, premier seizième</translation>
    </message>
    <message>
        <source>%1 (layer counter %2 of %3)</source>
        <translation>%1 (compteur de couche %2 sur %3)</translation>
    </message>
    <message>
        <source>%1 (layer %2 of %3)</source>
        <translation>%1 (couche %2 sur %3)</translation>
    </message>
    <message>
        <source>plan: %1</source>
        <translation>plan : %1</translation>
    </message>
    <message>
        <source>plan</source>
        <translation>plan</translation>
    </message>
    <message>
        <source>mix default</source>
        <translation>défaut du mélange</translation>
    </message>
    <message>
        <source>--pure: mix default</source>
        <translation>--pure : défaut du mélange</translation>
    </message>
    <message>
        <source>user override --tensor-type %1=%2</source>
        <translation>choix de l’utilisateur --tensor-type %1=%2</translation>
    </message>
    <message>
        <source>user override --output-tensor-type</source>
        <translation>choix de l’utilisateur --output-tensor-type</translation>
    </message>
    <message>
        <source>user override --token-embedding-type</source>
        <translation>choix de l’utilisateur --token-embedding-type</translation>
    </message>
    <message>
        <source>%1-D tensor kept as %2</source>
        <translation>tenseur %1-D gardé en %2</translation>
    </message>
    <message>
        <source>not a weight, kept as %1</source>
        <translation>pas un poids, gardé en %1</translation>
    </message>
    <message>
        <source>norm kept as %1</source>
        <translation>norme gardée en %1</translation>
    </message>
    <message>
        <source>--leave-output-tensor: kept as %1</source>
        <translation>--leave-output-tensor : gardé en %1</translation>
    </message>
    <message>
        <source>never quantized (%1), kept as %2</source>
        <translation>jamais quantifié (%1), gardé en %2</translation>
    </message>
    <message>
        <source>embedding never quantized, kept as %1</source>
        <translation>plongement jamais quantifié, gardé en %1</translation>
    </message>
    <message>
        <source>mix rule: %1</source>
        <translation>règle du mélange : %1</translation>
    </message>
    <message>
        <source>fallback: row %1 not a multiple of %2 (%3), nor of %4 (%5) -&gt; %6</source>
        <translation>repli : ligne %1 non multiple de %2 (%3), ni de %4 (%5) -&gt; %6</translation>
    </message>
    <message>
        <source>fallback: row %1 not a multiple of %2 (%3) -&gt; %4</source>
        <translation>repli : ligne %1 non multiple de %2 (%3) -&gt; %4</translation>
    </message>
    <message>
        <source>%1; was %2</source>
        <translation>%1 ; auparavant %2</translation>
    </message>
    <message>
        <source>adding merges requested but no merges found, output may be non-functional</source>
        <translation>fusions demandées mais aucune trouvée, la sortie risque de ne pas fonctionner</translation>
    </message>
    <message>
        <source>ignoring invalid special token id %1 for %2</source>
        <translation>identifiant de jeton spécial %1 invalide pour %2 ignoré</translation>
    </message>
    <message>
        <source>special token type %1, id %2 out of range, must be under %3 - skipping</source>
        <translation>jeton spécial de type %1, identifiant %2 hors limites, doit être inférieur à %3 – ignoré</translation>
    </message>
    <message>
        <source>spaces in merges detected, encoding them as U+0120</source>
        <translation>espaces détectés dans les fusions, codés en U+0120</translation>
    </message>
    <message>
        <source>merges.txt: malformed entry ignored</source>
        <translation>merges.txt : entrée mal formée ignorée</translation>
    </message>
    <message>
        <source>bad type for chat_template in tokenizer_config.json - ignoring</source>
        <translation>type incorrect pour chat_template dans tokenizer_config.json – ignoré</translation>
    </message>
    <message>
        <source>ignoring tokens from %1: id is out of range, max=%2</source>
        <translation>jetons à partir de %1 ignorés : identifiant hors limites, max=%2</translation>
    </message>
    <message>
        <source>ignoring added token %1: id is out of range</source>
        <translation>jeton ajouté %1 ignoré : identifiant hors limites</translation>
    </message>
    <message>
        <source>the pre-tokenizer in tokenizer.json is not one we recognize; writing tokenizer.ggml.pre = &quot;default&quot; (llama.cpp may split text differently than the original tokenizer)</source>
        <translation>Le pré-tokeniseur de tokenizer.json nous est inconnu ; tokenizer.ggml.pre = &quot;default&quot; est écrit (llama.cpp peut découper le texte autrement que le tokeniseur d’origine)</translation>
    </message>
    <message>
        <source>unknown RoPE type: %1</source>
        <translation>type RoPE inconnu : %1</translation>
    </message>
    <message>
        <source>the importance matrix has no entry for %1: quantized without one</source>
        <translation>La matrice d’importance n’a pas d’entrée pour %1 : quantifié sans elle</translation>
    </message>
    <message>
        <source>the importance matrix entry of %1 has %2 values instead of %3: ignored</source>
        <translation>L’entrée de la matrice d’importance pour %1 a %2 valeurs au lieu de %3 : ignorée</translation>
    </message>
    <message>
        <source>requantizing %1 already quantized tensor(s): the result is worse than quantizing the original weights</source>
        <translation>requantification de %1 tenseur(s) déjà quantifié(s) : le résultat est moins bon qu’en quantifiant les poids d’origine</translation>
    </message>
    <message>
        <source>GPTQ: the Hessian of %1 was not positive definite with damping %2; used %3</source>
        <translation>GPTQ : la hessienne de %1 n’était pas définie positive avec l’amortissement %2 ; utilisé : %3</translation>
    </message>
    <message>
        <source>GPTQ: the Hessian of %1 is not positive definite even with damping %2; quantized by round-to-nearest instead</source>
        <translation>GPTQ : la hessienne de %1 n’est pas définie positive même avec l’amortissement %2 ; quantifié par arrondi au plus proche à la place</translation>
    </message>
    <message>
        <source>GPTQ: %1 is %2, which GPTQ does not sweep; quantized by rounding weighted with its calibration activations instead</source>
        <translation>GPTQ : %1 est en %2, que GPTQ ne parcourt pas ; quantifié à la place par arrondi pondéré par ses activations de calibration</translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation>VRAM</translation>
    </message>
    <message>
        <source>unified memory</source>
        <translation>mémoire unifiée</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>RAM</translation>
    </message>
    <message>
        <source>%1: the highest-quality mix that fits (mean KLD %2 on Llama-3-8B, llama.cpp&apos;s scoreboard)</source>
        <translation>%1 : le mélange de meilleure qualité qui tient (KLD moyenne %2 sur Llama-3-8B, classement de llama.cpp)</translation>
    </message>
    <message>
        <source>%1: the highest-quality mix that fits</source>
        <translation>%1 : le mélange de meilleure qualité qui tient</translation>
    </message>
    <message>
        <source>%1 does not fit: needs %2 GiB of %3, the profile has %4 GiB usable</source>
        <translation>%1 ne tient pas : nécessite %2 Gio de %3, le profil en a %4 Gio utilisables</translation>
    </message>
    <message>
        <source>%1 would fit only with %2 of %3 layers on the GPU: a smaller mix that fits whole is faster</source>
        <translation>%1 ne tiendrait qu’avec %2 couches sur %3 sur le GPU : un mélange plus petit qui tient entièrement est plus rapide</translation>
    </message>
    <message>
        <source>none of the profile&apos;s preferred formats fits; %1 is not one of them</source>
        <translation>aucun des formats préférés du profil ne tient ; %1 n’en fait pas partie</translation>
    </message>
    <message>
        <source>all %1 layers on the GPU</source>
        <translation>les %1 couches sur le GPU</translation>
    </message>
    <message>
        <source>%1 of %2 layers on the GPU (-ngl %1), the rest in RAM</source>
        <translation>%1 couches sur %2 sur le GPU (-ngl %1), le reste en RAM</translation>
    </message>
    <message>
        <source>nothing fits: even %1 needs %2 GiB of %3, the profile has %4 GiB usable</source>
        <translation>rien ne tient : même %1 nécessite %2 Gio de %3, le profil en a %4 Gio utilisables</translation>
    </message>
    <message>
        <source>context %1 is longer than the model was trained for (%2)</source>
        <translation>le contexte %1 est plus long que celui de l’entraînement du modèle (%2)</translation>
    </message>
    <message>
        <source>decoder linear: %1-bit, groups of %2</source>
        <translation>couche linéaire du décodeur : %1 bits, groupes de %2</translation>
    </message>
    <message>
        <source>not a decoder linear, kept as %1</source>
        <translation>pas une couche linéaire du décodeur, conservé en %1</translation>
    </message>
</context>
<context>
    <name>condense::ui::ModelPanel</name>
    <message>
        <source>Filter tensors by name</source>
        <translation>Filtrer les tenseurs par nom</translation>
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
        <translation>Architecture</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>Types</source>
        <translation>Types</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Couches</translation>
    </message>
    <message>
        <source>No model open</source>
        <translation>Aucun modèle ouvert</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>inconnue</translation>
    </message>
    <message>
        <source>inspection only</source>
        <translation>consultation seulement</translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation>%1 paramètres</translation>
    </message>
    <message>
        <source>%1 bytes of tensor data</source>
        <translation>%1 octets de données de tenseurs</translation>
    </message>
    <message>
        <source>%1 heads (%2 KV)</source>
        <translation>%1 têtes (%2 KV)</translation>
    </message>
    <message>
        <source>%1 layers, hidden size %2</source>
        <translation>%1 couches, dimension cachée %2</translation>
    </message>
</context>
<context>
    <name>condense::ui::ModelTreeModel</name>
    <message>
        <source>Token embedding</source>
        <translation>Embedding des tokens</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Sortie</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Autres</translation>
    </message>
    <message>
        <source>mixed</source>
        <translation>mixte</translation>
    </message>
    <message>
        <source>1 tensor</source>
        <translation>1 tenseur</translation>
    </message>
    <message>
        <source>%1 tensors</source>
        <translation>%1 tenseurs</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 octets</translation>
    </message>
    <message>
        <source>%1 elements</source>
        <translation>%1 éléments</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Forme</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>illisible</translation>
    </message>
    <message>
        <source>Analysis pending</source>
        <translation>Analyse en attente</translation>
    </message>
    <message>
        <source>This tensor could not be read: %1</source>
        <translation>Ce tenseur n’a pas pu être lu : %1</translation>
    </message>
    <message>
        <source>Contains %1 NaN and %2 infinite values</source>
        <translation>Contient %1 NaN et %2 valeurs infinies</translation>
    </message>
    <message>
        <source>%1: relative RMSE %2, SNR %3 dB, max error %4</source>
        <translation>%1 : RMSE relative %2, RSB %3 dB, erreur max. %4</translation>
    </message>
    <message>
        <source>Preview error of the group&apos;s tensors together</source>
        <translation>Erreur d’aperçu de l’ensemble des tenseurs du groupe</translation>
    </message>
    <message>
        <source>Largest value in the group</source>
        <translation>Plus grande valeur du groupe</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Erreur</translation>
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
        <translation>Ligne</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>Colonne</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <source>From mean</source>
        <translation>Écart à la moyenne</translation>
    </message>
</context>
<context>
    <name>condense::ui::OutlierMapPlot</name>
    <message>
        <source>Rows %1, columns %2
max |w| / std = %3</source>
        <translation>Lignes %1, colonnes %2
max |w| / écart type = %3</translation>
    </message>
    <message>
        <source>Column (input channel)</source>
        <translation>Colonne (canal d’entrée)</translation>
    </message>
    <message>
        <source>Row (output channel)</source>
        <translation>Ligne (canal de sortie)</translation>
    </message>
    <message>
        <source>max |w| / std</source>
        <translation>max |w| / écart type</translation>
    </message>
    <message>
        <source>Outlier #%1: row %2, column %3, w = %4</source>
        <translation>Valeur aberrante nº %1 : ligne %2, colonne %3, w = %4</translation>
    </message>
</context>
<context>
    <name>condense::ui::PlanTableModel</name>
    <message>
        <source>%1-bit, groups of %2</source>
        <translation>%1 bits, groupes de %2</translation>
    </message>
    <message>
        <source>%1 (fallback)</source>
        <translation>%1 (repli)</translation>
    </message>
    <message>
        <source>Chosen by you; double-click to change</source>
        <translation>Choisi par vous ; double-cliquer pour changer</translation>
    </message>
    <message>
        <source>Double-click to choose another type</source>
        <translation>Double-cliquer pour choisir un autre type</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 octets</translation>
    </message>
    <message>
        <source>Tensor</source>
        <translation>Tenseur</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Forme</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Pourquoi</translation>
    </message>
</context>
<context>
    <name>condense::ui::ProfileCard</name>
    <message>
        <source>%1 RAM</source>
        <translation>%1 de RAM</translation>
    </message>
    <message>
        <source>%1 unified</source>
        <translation>%1 unifiée</translation>
    </message>
    <message>
        <source>%1 VRAM + %2 RAM</source>
        <translation>%1 de VRAM + %2 de RAM</translation>
    </message>
    <message>
        <source>Add profile…</source>
        <translation>Ajouter un profil…</translation>
    </message>
    <message>
        <source>Describe another machine: its memory, bandwidth and the formats it prefers</source>
        <translation>Décrire une autre machine : sa mémoire, sa bande passante et ses formats préférés</translation>
    </message>
    <message>
        <source>Prefers %1</source>
        <translation>Préfère %1</translation>
    </message>
    <message>
        <source>Drop a model here to quantize it for this machine and test the result.</source>
        <translation>Déposez un modèle ici pour le quantifier pour cette machine et tester le résultat.</translation>
    </message>
    <message>
        <source>Drop to quantize for this machine</source>
        <translation>Déposer pour quantifier pour cette machine</translation>
    </message>
    <message>
        <source>Edit profile…</source>
        <translation>Modifier le profil…</translation>
    </message>
</context>
<context>
    <name>condense::ui::ProfileDialog</name>
    <message>
        <source>&amp;Total:</source>
        <translation>&amp;Total :</translation>
    </message>
    <message>
        <source>&amp;Usable by the model:</source>
        <translation>&amp;Utilisable par le modèle :</translation>
    </message>
    <message>
        <source>&amp;Bandwidth:</source>
        <translation>&amp;Bande passante :</translation>
    </message>
    <message>
        <source>Edit Hardware Profile</source>
        <translation>Modifier le profil matériel</translation>
    </message>
    <message>
        <source>Add Hardware Profile</source>
        <translation>Ajouter un profil matériel</translation>
    </message>
    <message>
        <source>CPU only (llama.cpp on the CPU)</source>
        <translation>CPU seul (llama.cpp sur le CPU)</translation>
    </message>
    <message>
        <source>Apple silicon (unified memory, Metal)</source>
        <translation>Apple Silicon (mémoire unifiée, Metal)</translation>
    </message>
    <message>
        <source>NVIDIA GPU (CUDA) with system RAM</source>
        <translation>GPU NVIDIA (CUDA) avec mémoire système</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Mémoire</translation>
    </message>
    <message>
        <source>System RAM</source>
        <translation>Mémoire système</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <source>Id:</source>
        <translation>Identifiant :</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Type :</translation>
    </message>
    <message>
        <source>&amp;CPU compute:</source>
        <translation>Calcul &amp;CPU :</translation>
    </message>
    <message>
        <source>&amp;GPU compute:</source>
        <translation>Calcul &amp;GPU :</translation>
    </message>
    <message>
        <source>Share of &amp;bandwidth reached:</source>
        <translation>Part de &amp;bande passante atteinte :</translation>
    </message>
    <message>
        <source>&amp;Preferred formats:</source>
        <translation>Formats &amp;préférés :</translation>
    </message>
    <message>
        <source>N&amp;otes:</source>
        <translation>N&amp;otes :</translation>
    </message>
    <message>
        <source>My laptop</source>
        <translation>Mon ordinateur portable</translation>
    </message>
    <message>
        <source>Video memory (VRAM)</source>
        <translation>Mémoire vidéo (VRAM)</translation>
    </message>
    <message>
        <source>Unified memory</source>
        <translation>Mémoire unifiée</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>RAM</translation>
    </message>
    <message>
        <source>This profile is not valid: %1</source>
        <translation>Ce profil n’est pas valide : %1</translation>
    </message>
</context>
<context>
    <name>condense::ui::QuantizePage</name>
    <message>
        <source>The hardware profiles could not be read.</source>
        <translation>Les profils matériels n’ont pas pu être lus.</translation>
    </message>
    <message>
        <source>No plan: %1</source>
        <translation>Pas de plan : %1</translation>
    </message>
    <message>
        <source>“%1” did not finish.</source>
        <translation>« %1 » n’a pas abouti.</translation>
    </message>
    <message>
        <source>Read hardware profiles</source>
        <translation>Lire les profils matériels</translation>
    </message>
    <message>
        <source>Read the tensor list</source>
        <translation>Lire la liste des tenseurs</translation>
    </message>
    <message>
        <source>Plan for %1</source>
        <translation>Plan pour %1</translation>
    </message>
    <message>
        <source>Planning…</source>
        <translation>Planification…</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>RAM</translation>
    </message>
    <message>
        <source>Unified</source>
        <translation>Unifiée</translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation>VRAM</translation>
    </message>
    <message>
        <source>Nothing fits: the smallest plan needs %1, the profile has %2 usable.</source>
        <translation>Rien ne tient : le plus petit plan nécessite %1, le profil en a %2 utilisables.</translation>
    </message>
    <message>
        <source>%1 fits: %2 of %3 usable</source>
        <translation>%1 tient : %2 sur %3 utilisables</translation>
    </message>
    <message>
        <source>%1 does not fit after your changes: %2 of %3 usable</source>
        <translation>%1 ne tient plus après vos modifications : %2 sur %3 utilisables</translation>
    </message>
    <message>
        <source>all %1 layers on the GPU</source>
        <translation>les %1 couches sur le GPU</translation>
    </message>
    <message>
        <source>%1 of %2 layers on the GPU</source>
        <translation>%1 couches sur %2 sur le GPU</translation>
    </message>
    <message>
        <source>file %1</source>
        <translation>fichier %1</translation>
    </message>
    <message>
        <source>about %1 tokens/s generating, %2 tokens/s reading the prompt (predicted)</source>
        <translation>environ %1 jetons/s en génération, %2 jetons/s en lecture du prompt (prévision)</translation>
    </message>
    <message>
        <source>%1 tensors · %2 · %3 bits per weight</source>
        <translation>%1 tenseurs · %2 · %3 bits par poids</translation>
    </message>
    <message>
        <source>%1 fallbacks</source>
        <translation>%1 replis</translation>
    </message>
    <message>
        <source>%1 changed by you</source>
        <translation>%1 modifiés par vous</translation>
    </message>
    <message>
        <source>Output Folder</source>
        <translation>Dossier de sortie</translation>
    </message>
    <message>
        <source>Quantize %1 as %2 for %3</source>
        <translation>Quantifier %1 en %2 pour %3</translation>
    </message>
    <message>
        <source>Quantize %1 for %2</source>
        <translation>Quantifier %1 pour %2</translation>
    </message>
    <message>
        <source>The machine it must run on (drop a model on a card to quantize it for that machine):</source>
        <translation>La machine sur laquelle il doit tourner (déposez un modèle sur une carte pour le quantifier pour elle) :</translation>
    </message>
    <message>
        <source>&amp;Context:</source>
        <translation>&amp;Contexte :</translation>
    </message>
    <message>
        <source>Tokens the model must hold at once (llama.cpp&apos;s -c): the KV cache grows with it</source>
        <translation>Jetons que le modèle doit tenir à la fois (-c de llama.cpp) : le cache KV grandit avec</translation>
    </message>
    <message>
        <source>&amp;KV cache:</source>
        <translation>Cache &amp;KV :</translation>
    </message>
    <message>
        <source>&amp;Mix:</source>
        <translation>&amp;Mélange :</translation>
    </message>
    <message>
        <source>Best that fits</source>
        <translation>Le meilleur qui tient</translation>
    </message>
    <message>
        <source>&amp;Reset my changes</source>
        <translation>&amp;Annuler mes modifications</translation>
    </message>
    <message>
        <source>&amp;Output folder:</source>
        <translation>Dossier de &amp;sortie :</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Parcourir…</translation>
    </message>
    <message>
        <source>&amp;Quantize and test</source>
        <translation>&amp;Quantifier et tester</translation>
    </message>
    <message>
        <source>Quantize with this plan, then compare the result with the original (Ctrl+Enter)</source>
        <translation>Quantifier avec ce plan, puis comparer le résultat à l’original (Ctrl+Entrée)</translation>
    </message>
    <message>
        <source>This folder holds only config.json: the plan shows what the model will need once downloaded. Open the folder with its weights to quantize it.</source>
        <translation>Ce dossier ne contient que config.json : le plan montre ce dont le modèle aura besoin une fois téléchargé. Ouvrez le dossier avec ses poids pour le quantifier.</translation>
    </message>
    <message>
        <source>The importance matrix could not be made.</source>
        <translation>La matrice d’importance n’a pas pu être créée.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucune</translation>
    </message>
    <message>
        <source>Choose a file…</source>
        <translation>Choisir un fichier…</translation>
    </message>
    <message>
        <source>Importance Matrix</source>
        <translation>Matrice d’importance</translation>
    </message>
    <message>
        <source>Importance matrices (*.gguf *.dat);;All files (*)</source>
        <translation>Matrices d’importance (*.gguf *.dat);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Make one from a text…</source>
        <translation>En créer une à partir d’un texte…</translation>
    </message>
    <message>
        <source>Calibration Text</source>
        <translation>Texte de calibration</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>Fichiers texte (*.txt);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Aucune</translation>
    </message>
    <message>
        <source>Calibrate %1 on %2</source>
        <translation>Calibrer %1 sur %2</translation>
    </message>
    <message>
        <source>&amp;Importance matrix:</source>
        <translation>Matrice d’&amp;importance :</translation>
    </message>
    <message>
        <source>llama-imatrix&apos;s statistic of how much each weight column matters: the quantizer keeps those more exact</source>
        <translation>La statistique de llama-imatrix sur l’importance de chaque colonne de poids : le quantificateur les garde plus exactes</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <source>Make one from a bundled set</source>
        <translation>En créer une à partir d’un jeu fourni</translation>
    </message>
    <message>
        <source>Runs the model over the calibration text block by block and rounds each weight so the layer&apos;s output error stays small: the same file size and types, lower KL divergence, minutes instead of seconds.</source>
        <translation>Fait passer le modèle sur le texte de calibration bloc par bloc et arrondit chaque poids pour que l’erreur de sortie de la couche reste faible : même taille de fichier et mêmes types, divergence KL plus basse, des minutes au lieu de secondes.</translation>
    </message>
    <message>
        <source>Rounds every block to its nearest values (llama-quantize&apos;s way); an importance matrix, when set, keeps the columns that matter more exact.</source>
        <translation>Arrondit chaque bloc aux valeurs les plus proches (comme llama-quantize) ; une matrice d’importance, si elle est définie, garde plus exactes les colonnes qui comptent.</translation>
    </message>
    <message>
        <source>M&amp;ethod:</source>
        <translation>M&amp;éthode :</translation>
    </message>
    <message>
        <source>Round to nearest</source>
        <translation>Arrondi au plus proche</translation>
    </message>
    <message>
        <source>GPTQ (calibrated)</source>
        <translation>GPTQ (calibré)</translation>
    </message>
    <message>
        <source>How each tensor&apos;s blocks get their values; the types and the file size are the plan&apos;s either way</source>
        <translation>Comment les blocs de chaque tenseur reçoivent leurs valeurs ; les types et la taille du fichier sont ceux du plan dans tous les cas</translation>
    </message>
    <message>
        <source>Ca&amp;libration:</source>
        <translation>Ca&amp;libration :</translation>
    </message>
    <message>
        <source>General prose</source>
        <translation>Prose générale</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Dialogue</translation>
    </message>
    <message>
        <source>Multilingual</source>
        <translation>Multilingue</translation>
    </message>
    <message>
        <source>The text GPTQ runs the model over (bundled; a held-out part of it is never used)</source>
        <translation>Le texte sur lequel GPTQ fait passer le modèle (fourni ; une partie réservée n’est jamais utilisée)</translation>
    </message>
    <message>
        <source>GPTQ: runs the model over the calibration text block by block and solves each layer&apos;s rounding so its output error stays small; minutes instead of seconds.</source>
        <translation>GPTQ : exécute le modèle bloc par bloc sur le texte de calibration et choisit l&apos;arrondi de chaque couche pour que son erreur de sortie reste faible ; des minutes au lieu de secondes.</translation>
    </message>
    <message>
        <source>AWQ: runs the model over the calibration text, scales up the channels that matter most before rounding and searches the clipping; minutes instead of seconds.</source>
        <translation>AWQ : exécute le modèle sur le texte de calibration, agrandit les canaux les plus importants avant l&apos;arrondi et cherche l&apos;écrêtage ; des minutes au lieu de secondes.</translation>
    </message>
    <message>
        <source>Rounds every group of weights to its nearest grid value: seconds, no calibration text.</source>
        <translation>Arrondit chaque groupe de poids à la valeur de grille la plus proche : quelques secondes, sans texte de calibration.</translation>
    </message>
    <message>
        <source>GPTQ folder</source>
        <translation>Dossier GPTQ</translation>
    </message>
    <message>
        <source>AWQ folder</source>
        <translation>Dossier AWQ</translation>
    </message>
    <message>
        <source>compressed-tensors folder</source>
        <translation>Dossier compressed-tensors</translation>
    </message>
    <message>
        <source>GGUF file</source>
        <translation>Fichier GGUF</translation>
    </message>
    <message>
        <source>AWQ (calibrated)</source>
        <translation>AWQ (calibré)</translation>
    </message>
    <message>
        <source>A Hugging Face folder that transformers and vLLM load as GPTQ.</source>
        <translation>Un dossier Hugging Face que transformers et vLLM chargent en GPTQ.</translation>
    </message>
    <message>
        <source>A Hugging Face folder that AutoAWQ and vLLM load as AWQ (GEMM).</source>
        <translation>Un dossier Hugging Face qu&apos;AutoAWQ et vLLM chargent en AWQ (GEMM).</translation>
    </message>
    <message>
        <source>A Hugging Face folder that vLLM and llm-compressor load (compressed-tensors, pack-quantized).</source>
        <translation>Un dossier Hugging Face que vLLM et llm-compressor chargent (compressed-tensors, pack-quantized).</translation>
    </message>
    <message>
        <source>One file that llama.cpp, Ollama and LM Studio load, with the plan&apos;s types.</source>
        <translation>Un seul fichier que llama.cpp, Ollama et LM Studio chargent, avec les types du plan.</translation>
    </message>
    <message>
        <source>Each run gets its own folder here, holding the %1 “%2” and its report.</source>
        <translation>Chaque exécution crée ici son propre dossier, avec le %1 « %2 » et son rapport.</translation>
    </message>
    <message>
        <source>Each run gets its own folder here, holding the GGUF file “%1” and its report.</source>
        <translation>Chaque exécution crée ici son propre dossier, avec le fichier GGUF « %1 » et son rapport.</translation>
    </message>
    <message>
        <source>A %1 is made from a Hugging Face model folder (safetensors); this model is a GGUF file.</source>
        <translation>Un %1 se fait à partir d&apos;un dossier de modèle Hugging Face (safetensors) ; ce modèle est un fichier GGUF.</translation>
    </message>
    <message>
        <source>%1: %2-bit weights in groups of %3 · weights %4</source>
        <translation>%1 : poids sur %2 bits en groupes de %3 · poids %4</translation>
    </message>
    <message>
        <source>The attention and MLP projections of every block are quantized; embeddings, the output layer and the norms keep their type. The machine profiles size GGUF files: a folder runs where its loaders run.</source>
        <translation>Les projections d&apos;attention et MLP de chaque bloc sont quantifiées ; les embeddings, la couche de sortie et les normes gardent leur type. Les profils de machine dimensionnent des fichiers GGUF : un dossier tourne là où tournent ses chargeurs.</translation>
    </message>
    <message>
        <source>Quantize %1 as %2</source>
        <translation>Quantifier %1 en %2</translation>
    </message>
    <message>
        <source>O&amp;utput format:</source>
        <translation>Format de sort&amp;ie :</translation>
    </message>
    <message>
        <source>What the run writes: one GGUF file, or a Hugging Face folder of quantized weights</source>
        <translation>Ce que l&apos;exécution écrit : un fichier GGUF, ou un dossier Hugging Face de poids quantifiés</translation>
    </message>
    <message>
        <source>&amp;Bits:</source>
        <translation>&amp;Bits :</translation>
    </message>
    <message>
        <source>Bits per weight of the quantized linears (AWQ: 4)</source>
        <translation>Bits par poids des couches linéaires quantifiées (AWQ : 4)</translation>
    </message>
    <message>
        <source>&amp;Group size:</source>
        <translation>Taille de &amp;groupe :</translation>
    </message>
    <message>
        <source>Weights that share one scale: smaller groups are more exact and a little larger</source>
        <translation>Poids qui partagent une échelle : des groupes plus petits sont plus exacts et un peu plus gros</translation>
    </message>
    <message>
        <source>Symmetric</source>
        <translation>Symétrique</translation>
    </message>
    <message>
        <source>Asymmetric (zero points)</source>
        <translation>Asymétrique (points zéro)</translation>
    </message>
    <message>
        <source>Asymmetric grids store a zero point per group (AWQ always does)</source>
        <translation>Les grilles asymétriques stockent un point zéro par groupe (AWQ toujours)</translation>
    </message>
    <message>
        <source>Symmetry</source>
        <translation>Symétrie</translation>
    </message>
    <message>
        <source>&amp;Act-order</source>
        <translation>&amp;Act-order</translation>
    </message>
    <message>
        <source>GPTQ quantizes the columns that matter most first (desc_act)</source>
        <translation>GPTQ quantifie d&apos;abord les colonnes les plus importantes (desc_act)</translation>
    </message>
    <message>
        <source>%L1 tokens</source>
        <translation>%L1 tokens</translation>
    </message>
    <message>
        <source>&amp;Tokens:</source>
        <translation>&amp;Tokens :</translation>
    </message>
    <message>
        <source>How much of the calibration text the run reads: more tokens take longer and calibrate more evenly</source>
        <translation>Quantité du texte de calibrage que lit l’exécution : plus de tokens prennent plus de temps et calibrent plus régulièrement</translation>
    </message>
</context>
<context>
    <name>condense::ui::ResultsPage</name>
    <message>
        <source> pts</source>
        <translation> pts</translation>
    </message>
    <message>
        <source>Per-layer chart as PNG…</source>
        <translation>Graphique par couche en PNG…</translation>
    </message>
    <message>
        <source>layers</source>
        <translation>couches</translation>
    </message>
    <message>
        <source>Comparison chart as PNG…</source>
        <translation>Graphique de comparaison en PNG…</translation>
    </message>
    <message>
        <source>comparison</source>
        <translation>comparaison</translation>
    </message>
    <message>
        <source>Read earlier runs</source>
        <translation>Lire les exécutions précédentes</translation>
    </message>
    <message>
        <source>%1 as %2</source>
        <translation>%1 en %2</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>Bits per weight</source>
        <translation>Bits par poids</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>Perplexité</translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation>Divergence KL</translation>
    </message>
    <message>
        <source>p99 %1</source>
        <translation>p99 %1</translation>
    </message>
    <message>
        <source>Same top token</source>
        <translation>Même jeton de tête</translation>
    </message>
    <message>
        <source>Top-1 accuracy</source>
        <translation>Précision top-1</translation>
    </message>
    <message>
        <source>Multiple choice (%1 tasks)</source>
        <translation>Choix multiple (%1 tâches)</translation>
    </message>
    <message>
        <source>Prompt tokens/s</source>
        <translation>Jetons de prompt/s</translation>
    </message>
    <message>
        <source>Generation tokens/s</source>
        <translation>Jetons générés/s</translation>
    </message>
    <message>
        <source>Size, planned → written</source>
        <translation>Taille, prévue → écrite</translation>
    </message>
    <message>
        <source>Nothing has been run yet. On the Quantize page, pick the machine the model must run on and press “Quantize and test”: this page then compares the original and the quantized model.</source>
        <translation>Rien n’a encore été exécuté. Sur la page Quantifier, choisissez la machine sur laquelle le modèle doit tourner et appuyez sur « Quantifier et tester » : cette page compare alors l’original et le modèle quantifié.</translation>
    </message>
    <message>
        <source>&amp;Run:</source>
        <translation>&amp;Exécution :</translation>
    </message>
    <message>
        <source>Open &amp;report</source>
        <translation>Ouvrir le &amp;rapport</translation>
    </message>
    <message>
        <source>Open report.html (charts, every figure) in the browser</source>
        <translation>Ouvrir report.html (graphiques, tous les chiffres) dans le navigateur</translation>
    </message>
    <message>
        <source>E&amp;xport</source>
        <translation>E&amp;xporter</translation>
    </message>
    <message>
        <source>Original → quantized</source>
        <translation>Original → quantifié</translation>
    </message>
    <message>
        <source>Per layer</source>
        <translation>Par couche</translation>
    </message>
    <message>
        <source>Every run of this model</source>
        <translation>Toutes les exécutions de ce modèle</translation>
    </message>
    <message>
        <source>Generation tokens/s, %1 (predicted) → here</source>
        <translation>Jetons générés/s, %1 (prévision) → ici</translation>
    </message>
    <message>
        <source>%1 as %2: a %3 folder, method %4</source>
        <translation>%1 en %2 : un dossier %3, méthode %4</translation>
    </message>
</context>
</TS>
