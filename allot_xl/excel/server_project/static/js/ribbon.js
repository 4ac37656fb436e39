// Buttons of the "Allotissement" ribbon tab (templates/manifest.xml).
// Each button sends only the sheets its script reads, matched the way allot_xl matches
// sheet names (case, accents and spaces ignored: "regles" is "Règles").
const INPUT_SHEETS = ["Besoins", "Zones", "Règles", "Paramètres", "Offres", "Référentiel", "Lots attribués", "Critères"];
const SHEETS_BY_SCRIPT = {
  // the previous Lots keep lot numbers; Journal keeps the history of runs
  // Scénarios: the variants a scenario may apply
  // Commandes: the orders a regeneration follows too (issue 25)
  regenerate_lots: [...INPUT_SHEETS, "Lots", "Journal", "Scénarios", "Commandes"],
  check_needs: [...INPUT_SHEETS, "Lots", "Journal", "Scénarios", "Commandes"],
  // the fingerprint of the input sheets against the last Journal row
  prepare_for_email: [...INPUT_SHEETS, "Journal"],
  compare_scenarios: [...INPUT_SHEETS, "Lots", "Journal", "Scénarios", "Commandes"],
  apply_proposed: [...INPUT_SHEETS, "Lots", "Journal", "Scénarios", "Commandes"],
  // the run's lots and holders, the last Journal row (are the lots current?), the orders
  track_orders: [...INPUT_SHEETS, "Lots", "Journal", "Commandes"],
  prepare_dce: [...INPUT_SHEETS, "Lots", "Journal", "Scénarios", "Commandes"],
};

function foldName(name) {
  return name
    .replace(/[\u2018\u2019]/g, "'")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[\s_\u00a0\u202f\u2007\u2009]+/g, " ")
    .trim()
    .toLowerCase();
}

async function sheetsToSend(scriptName) {
  const wanted = new Set(SHEETS_BY_SCRIPT[scriptName].map(foldName));
  return await Excel.run(async (context) => {
    const sheets = context.workbook.worksheets.load("items/name");
    await context.sync();
    return sheets.items.map((s) => s.name).filter((n) => wanted.has(foldName(n)));
  });
}

// Past this many rows of Besoins, "Générer les lots" takes the transfer route: the payload
// of the script route nears Excel on the web's 5 MB cap (measured: about 31,000 needs).
const UPLOAD_FROM_ROWS = 20000;
const SLICE_BYTES = 3 * 1024 * 1024; // a slice is 4 MB once in base64, under the 5 MB cap
const OUTPUT_SHEETS = ["Lots", "Affectation", "Multi-attribution", "Synthèse", "Contrôles",
  "Journal"];

async function besoinsRows() {
  return await Excel.run(async (context) => {
    const sheets = context.workbook.worksheets.load("items/name");
    await context.sync();
    const ws = sheets.items.find((s) => foldName(s.name) === foldName("Besoins"));
    if (!ws) return 0;
    const used = ws.getUsedRangeOrNullObject(true).load("rowCount");
    await context.sync();
    return used.isNullObject ? 0 : used.rowCount;
  });
}

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.slice(i, i + 0x8000));
  }
  return btoa(text);
}

async function post(verb, payload, auth) {
  const response = await fetch(`${window.location.origin}/allot/${verb}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: auth.token,
               "Auth-Provider": auth.provider },
    body: JSON.stringify(payload),
  });
  const text = await response.text();
  let answer;
  try { answer = JSON.parse(text); } catch { answer = { message: text }; }
  if (!response.ok) throw new Error(answer.message || `Erreur ${response.status}`);
  return answer;
}

function officeCall(fn) {
  return new Promise((resolve, reject) =>
    fn((r) => (r.status === Office.AsyncResultStatus.Succeeded ? resolve(r.value)
                                                                : reject(r.error))));
}

// The transfer route (allot_xl/excel/transfer.py): the workbook goes up in compressed slices,
// the server runs the file route, the produced workbook comes back in chunks and its output
// sheets replace the old ones. Every message stays under 5 MB, whatever the campaign.
async function regenerateByTransfer(auth) {
  const file = await officeCall((cb) => Office.context.document.getFileAsync(
    Office.FileType.Compressed, { sliceSize: SLICE_BYTES }, cb));
  let session = null;
  try {
    for (let i = 0; i < file.sliceCount; i++) {
      const slice = await officeCall((cb) => file.getSliceAsync(i, cb));
      const reply = await post("televersement", { session, index: i, count: file.sliceCount,
                                                  data: toBase64(slice.data) }, auth);
      session = reply.session;
    }
  } finally {
    file.closeAsync();
  }
  const name = (Office.context.document.url || "classeur.xlsx").split(/[\\/]/).pop();
  const run = await post("generer", { session, nom: name }, auth);
  let b64 = "";
  for (let i = 0; i < run.morceaux; i++) {
    b64 += (await post("resultat", { session, index: i }, auth)).data;
  }
  await Excel.run(async (context) => {
    const sheets = context.workbook.worksheets.load("items/name");
    await context.sync();
    const outputs = new Set(OUTPUT_SHEETS.map(foldName));
    sheets.items.filter((s) => outputs.has(foldName(s.name))).forEach((s) => s.delete());
    await context.sync();
    context.workbook.insertWorksheetsFromBase64(b64, {
      sheetNamesToInsert: run.feuilles,
      positionType: Excel.WorksheetPositionType.end,
    });
    await context.sync();
  });
  return run.message;
}

async function runAllotScript(scriptName, event) {
  try {
    if (scriptName === "regenerate_lots" && (await besoinsRows()) > UPLOAD_FROM_ROWS) {
      const auth = typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth() : { token: "", provider: "" };
      let message, mode = "info";
      try {
        message = await regenerateByTransfer(auth);
      } catch (error) {
        message = String(error.message || error);
        mode = "critical";
      }
      // the same alert action the scripts send (xlwings Server's dialog)
      await xlwings.runActions({ actions: [{ func: "alert",
        args: [message, "Allotissement", "ok", mode, ""] }] });
      return;
    }
    const names = await sheetsToSend(scriptName);
    // An include list naming no sheet of the workbook sends no values at all (an empty
    // list would send every sheet); the script then says which sheet is missing.
    const include = names.length > 0 ? names.join(",") : "\u0000";
    const auth =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    await xlwings.runPython({
      scriptName: scriptName,
      include: include,
      auth: auth.token,
      headers: { "Auth-Provider": auth.provider },
    });
  } finally {
    event.completed();
  }
}

Office.actions.associate("allot-regenerer", (event) =>
  runAllotScript("regenerate_lots", event),
);
Office.actions.associate("allot-controler", (event) =>
  runAllotScript("check_needs", event),
);
Office.actions.associate("allot-envoyer", (event) =>
  runAllotScript("prepare_for_email", event),
);
Office.actions.associate("allot-comparer", (event) =>
  runAllotScript("compare_scenarios", event),
);
Office.actions.associate("allot-appliquer", (event) =>
  runAllotScript("apply_proposed", event),
);
Office.actions.associate("allot-suivre", (event) =>
  runAllotScript("track_orders", event),
);
Office.actions.associate("allot-dce", (event) =>
  runAllotScript("prepare_dce", event),
);
