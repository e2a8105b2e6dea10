% rebase('base.tpl', title=_('System'))
<h1>{{_("System")}}</h1>
<table id="facts" class="card">
<tbody>
% for label, value in facts:
<tr><th scope="row">{{said(label)}}</th><td>{{said(value)}}</td></tr>
% end
</tbody>
</table>
<h2>{{_("Log (newest first)")}}</h2>
<div class="scroll">
<table id="log">
<thead><tr><th>{{_("When")}}</th><th>{{_("Modem")}}</th><th>{{_("What")}}</th></tr></thead>
<tbody>
% for row in tail:
<tr><td>{{when(row.at)}}</td><td>{{row.modem or ''}}</td><td>{{row.message}}</td></tr>
% end
</tbody>
</table>
</div>
% if not tail:
<p id="no-log">{{_("Nothing logged yet.")}}</p>
% end
