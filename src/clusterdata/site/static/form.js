// The "add a cluster" form: checks a row in the browser and builds the GitHub issue URL.
// Every rule and every message comes from the page's JSON (#form-spec), generated from the
// Table Schema and the command line's hint function when the site was built; nothing here
// words a message or declares a rule.
(function () {
  "use strict";
  var spec = JSON.parse(document.getElementById("form-spec").textContent);
  var form = document.getElementById("add-cluster");

  function compile(pattern) {
    // Table Schema patterns match the whole value.
    try { return new RegExp("^(?:" + pattern + ")$", "u"); } catch (e) { return null; }
  }

  function problem(field, value) {
    var r = field.rules, m = field.messages;
    if (value === "") { return r.required ? m.required : null; }
    if (r.enum && r.enum.indexOf(value) < 0) { return m.enum; }
    if (r.pattern) {
      var re = compile(r.pattern);
      if (re && !re.test(value)) { return m.pattern; }
    }
    if (r.ids && r.ids.indexOf(value) < 0) { return m.ids; }
    if (r.taken && r.taken.indexOf(value) >= 0) { return m.taken; }
    return null;
  }

  function body(values) {
    // The shape GitHub gives a submitted issue form: one "### label" section per field.
    return spec.fields.map(function (f) {
      return "### " + f.name + "\n\n" + (values[f.name] === "" ? "_No response_" : values[f.name]);
    }).join("\n\n") + "\n";
  }

  function issueUrl(values) {
    var params = new URLSearchParams(spec.issue.url.split("?")[1] || "");
    params.set("title", spec.issue.titlePrefix + (values[spec.issue.titleField] || ""));
    spec.fields.forEach(function (f) {
      if (values[f.name] !== "") { params.set(f.name, values[f.name]); }
    });
    return spec.issue.url.split("?")[0] + "?" + params.toString();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var values = {}, bad = 0;
    spec.fields.forEach(function (f) {
      var input = document.getElementById("input-" + f.name);
      var value = input.value.normalize("NFC").trim();
      values[f.name] = value;
      var out = document.getElementById("error-" + f.name);
      var found = problem(f, value);
      if (found) {
        bad += 1;
        out.textContent = "[" + found.check + "] " + f.name + ": " + found.hint;
        out.hidden = false;
        input.setAttribute("aria-invalid", "true");
      } else {
        out.textContent = "";
        out.hidden = true;
        input.removeAttribute("aria-invalid");
      }
    });
    document.getElementById("form-errors").hidden = bad === 0;
    var result = document.getElementById("form-result");
    result.hidden = bad !== 0;
    if (bad === 0) {
      document.getElementById("issue-link").href = issueUrl(values);
      document.getElementById("issue-body").textContent = body(values);
    }
  });
})();
