% rebase('base.tpl', title=status_text)
<h1>{{status_text}}</h1>
<p>{{message}}</p>
