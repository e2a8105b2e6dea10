% rebase('base.tpl', title=_('Rates'))
<h1>{{_("Rates")}}</h1>
% if notice:
<p class="notice" id="notice">{{notice}}</p>
% end
<form method="get" action="/admin/rates" class="card" role="search">
  <label for="q">{{_("Search a prefix (e.g. 4917) or a description")}}</label>
  <input id="q" name="q" value="{{search}}" maxlength="100">
  <button type="submit">{{_("Search")}}</button>
</form>
<div class="scroll">
<table id="rates">
<thead><tr><th>{{_("Prefix")}}</th><th>{{_("Description")}}</th><th>{{_("Per minute")}}</th><th>{{_("Connect fee")}}</th><th>{{_("Billing (s)")}}</th></tr></thead>
<tbody>
% for rate in rates.rows:
<tr><td>{{rate.prefix}}</td><td>{{rate.description}}</td><td>{{price(rate.price_per_minute)}}</td>
<td>{{money(rate.connect_fee)}}</td><td>{{rate.initial_increment}}/{{rate.increment}}</td></tr>
% end
</tbody>
</table>
</div>
% if not rates.rows:
<p id="no-rates">{{_('No rate matches.') if search else _('No rates yet: upload a CSV file below.')}}</p>
% end
% include('pager.tpl', page=rates, link=link)

<h2>{{_("Upload rates")}}</h2>
<form method="post" action="/admin/rates" enctype="multipart/form-data" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <p class="hint">{{_("Columns: prefix, description, price_per_minute, connect_fee, initial_increment, increment (prices in major units, e.g. 0.012; increments in seconds; a header line is optional). A file with any bad line stores nothing.")}}</p>
  <label for="file">{{_("CSV file")}}</label>
  <input id="file" name="file" type="file" accept=".csv,text/csv">
  % if file_error:
  <p class="error" id="file-error">{{file_error}}</p>
  % end
  % if problems:
  <ul class="error" id="problems">
    % for problem in problems:
    <li>{{problem}}</li>
    % end
  </ul>
  % end
  <label><input type="checkbox" name="replace" value="1"> {{_("Replace the whole table (delete rates not in the file)")}}</label>
  <button type="submit">{{_("Upload")}}</button>
</form>
