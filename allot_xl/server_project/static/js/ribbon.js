// Buttons of the "Allotissement" ribbon tab (templates/manifest.xml).
// Each button sends only the sheets its script reads, matched the way allot_xl matches
// sheet names (case, accents and spaces ignored: "regles" is "Règles").
const INPUT_SHEETS = ["Besoins", "Zones", "Règles", "Paramètres", "Offres", "Référentiel"];
const SHEETS_BY_SCRIPT = {
  // the previous Lots keep lot numbers; Journal keeps the history of runs
  // Scénarios: the variants a scenario may apply
  regenerate_lots: [...INPUT_SHEETS, "Lots", "Journal", "Scénarios"],
  check_needs: [...INPUT_SHEETS, "Lots", "Journal", "Scénarios"],
  // the fingerprint of the input sheets against the last Journal row
  prepare_for_email: [...INPUT_SHEETS, "Journal"],
  compare_scenarios: [...INPUT_SHEETS, "Lots", "Journal", "Scénarios"],
  apply_proposed: [...INPUT_SHEETS, "Lots", "Journal", "Scénarios"],
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

async function runAllotScript(scriptName, event) {
  try {
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
