% rebase('base.tpl', title=_('SMS commands'))
<h1>{{_("SMS commands")}}</h1>
<p>{{_("Text one of these to the box's number. Words are not case-sensitive; any word of a line's list works. Your account is number {number}, name {name}.").format(number=account.number, name=account.name)}}</p>
% if empty_is_callback:
<p>{{_("An empty SMS is a callback too.")}}</p>
% end
<div class="scroll">
<table id="sms-commands">
<thead><tr><th>{{_("Write")}}</th><th>{{_("What it does")}}</th><th>{{_("Words")}}</th></tr></thead>
<tbody>
% for row in commands:
<tr><td><code>{{row['usage']}}</code></td><td>{{_(row['meaning'])}}</td><td>{{', '.join(row['words'])}}</td></tr>
% end
</tbody>
</table>
</div>
<h2>{{_("What the box texts back to a help request")}}</h2>
<p class="card" id="help-text">{{help_text}}</p>
